#version 460
// gemm: C_z = alpha*op(A_z)*op(B_z) + beta*C_z for z in the batch
// (gl_WorkGroupID.z), row-major with leading dimensions, 64x64 tiles of C per
// workgroup of 16x16 threads, each thread a 4x4 block, K in steps of 16
// through shared memory. beta is not read unless flags bit 2 is set.
#include "common.glsl"
layout(local_size_x = 16, local_size_y = 16) in;
layout(push_constant) uniform P {
	F32 a; F32 b; F32 c;
	uint m, n, k, lda, ldb, ldc;
	uint sa, sb, sc;
	uint flags; // 1: transA, 2: transB, 4: read C (beta != 0)
	float alpha, beta;
} p;

shared float As[16][64];
shared float Bs[16][64];

void main() {
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint tid = ty * 16u + tx;
	uint row0 = gl_WorkGroupID.y * 64u, col0 = gl_WorkGroupID.x * 64u;
	uint z = gl_WorkGroupID.z;
	uint ab = z * p.sa, bb = z * p.sb, cb = z * p.sc;
	bool ta = (p.flags & 1u) != 0u, tb = (p.flags & 2u) != 0u;
	float acc[4][4];
	for (int r = 0; r < 4; r++) {
		for (int c = 0; c < 4; c++) {
			acc[r][c] = 0.0;
		}
	}
	for (uint k0 = 0u; k0 < p.k; k0 += 16u) {
		for (uint r = 0u; r < 4u; r++) {
			uint e = tid + 256u * r;
			uint i, kk;
			if (ta) { kk = e / 64u; i = e % 64u; } else { i = e / 16u; kk = e % 16u; }
			uint gi = row0 + i, gk = k0 + kk;
			float v = 0.0;
			if (gi < p.m && gk < p.k) {
				v = ta ? p.a.v[ab + gk * p.lda + gi] : p.a.v[ab + gi * p.lda + gk];
			}
			As[kk][i] = v;
			uint j;
			if (tb) { j = e / 16u; kk = e % 16u; } else { kk = e / 64u; j = e % 64u; }
			uint gj = col0 + j;
			gk = k0 + kk;
			v = 0.0;
			if (gj < p.n && gk < p.k) {
				v = tb ? p.b.v[bb + gj * p.ldb + gk] : p.b.v[bb + gk * p.ldb + gj];
			}
			Bs[kk][j] = v;
		}
		barrier();
		for (uint kk = 0u; kk < 16u; kk++) {
			float av[4], bv[4];
			for (uint r = 0u; r < 4u; r++) {
				av[r] = As[kk][ty + 16u * r];
				bv[r] = Bs[kk][tx + 16u * r];
			}
			for (uint r = 0u; r < 4u; r++) {
				for (uint c = 0u; c < 4u; c++) {
					acc[r][c] = fma(av[r], bv[c], acc[r][c]);
				}
			}
		}
		barrier();
	}
	for (uint r = 0u; r < 4u; r++) {
		uint gi = row0 + ty + 16u * r;
		if (gi >= p.m) {
			continue;
		}
		for (uint c = 0u; c < 4u; c++) {
			uint gj = col0 + tx + 16u * c;
			if (gj >= p.n) {
				continue;
			}
			uint ci = cb + gi * p.ldc + gj;
			float v = p.alpha * acc[r][c];
			if ((p.flags & 4u) != 0u) {
				v += p.beta * p.c.v[ci];
			}
			p.c.v[ci] = v;
		}
	}
}
