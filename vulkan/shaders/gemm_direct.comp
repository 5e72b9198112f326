#version 460
// gemm_direct: the product of gemm.comp without shared memory or barriers:
// each thread computes a 4x4 block of C straight from A and B. It is the
// GEMM for CPU software devices (llvmpipe), where workgroup barriers are
// expensive and memory is the CPU's cache hierarchy; GPUs use gemm.comp.
#include "common.glsl"
layout(local_size_x = 16, local_size_y = 16) in;
layout(push_constant) uniform P {
	F32 a; F32 b; F32 c;
	uint m, n, k, lda, ldb, ldc;
	uint sa, sb, sc;
	uint flags; // 1: transA, 2: transB, 4: read C (beta != 0)
	float alpha, beta;
} p;

void main() {
	// A workgroup computes a 64x64 tile of C; thread (x, y) the rows
	// 4y..4y+3 and the columns x, x+16, x+32, x+48 of it, so that adjacent
	// invocations (SIMD lanes on llvmpipe) read adjacent B values and the
	// same A values.
	uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
	uint row0 = gl_WorkGroupID.y * 64u + ty * 4u, col0 = gl_WorkGroupID.x * 64u + tx;
	if (row0 >= p.m || col0 >= p.n) {
		return;
	}
	uint z = gl_WorkGroupID.z;
	uint ab = z * p.sa, bb = z * p.sb, cb = z * p.sc;
	bool ta = (p.flags & 1u) != 0u, tb = (p.flags & 2u) != 0u;
	// Clamp the indices of the rows and columns past the edge (their
	// results are not stored) so the loop needs no bounds checks.
	uint ri[4], cj[4];
	for (uint r = 0u; r < 4u; r++) {
		ri[r] = min(row0 + r, p.m - 1u);
		cj[r] = min(col0 + 16u * r, p.n - 1u);
	}
	// Element (i, kk) of op(A) is at ai[i] + kk*astep; (kk, j) of op(B) at bj[j] + kk*bstep.
	uint ai[4], bj[4];
	uint astep = ta ? p.lda : 1u, bstep = tb ? 1u : p.ldb;
	for (uint r = 0u; r < 4u; r++) {
		ai[r] = ab + (ta ? ri[r] : ri[r] * p.lda);
		bj[r] = bb + (tb ? cj[r] * p.ldb : cj[r]);
	}
	float acc[4][4];
	for (uint r = 0u; r < 4u; r++) {
		for (uint c = 0u; c < 4u; c++) {
			acc[r][c] = 0.0;
		}
	}
	for (uint kk = 0u; kk < p.k; kk += 1u) {
		float av[4], bv[4];
		for (uint r = 0u; r < 4u; r++) {
			av[r] = p.a.v[ai[r] + kk * astep];
			bv[r] = p.b.v[bj[r] + kk * bstep];
		}
		for (uint r = 0u; r < 4u; r++) {
			for (uint c = 0u; c < 4u; c++) {
				acc[r][c] = fma(av[r], bv[c], acc[r][c]);
			}
		}
	}
	for (uint r = 0u; r < 4u; r++) {
		uint gi = row0 + r;
		if (gi >= p.m) {
			continue;
		}
		for (uint c = 0u; c < 4u; c++) {
			uint gj = col0 + 16u * c;
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
