#version 460
// reduce_cols: src viewed as [outer, n, inner];
// d[o*inner+i] = alpha*sum_j s[(o*n+j)*inner+i] + beta*d[o*inner+i], one
// thread per output, j in order (as kernels.ReduceSum).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; uint outer, n, inner; float alpha, beta; } p;

void main() {
	uint total = p.outer * p.inner;
	for (uint e = gl_GlobalInvocationID.x; e < total; e += STRIDE) {
		uint o = e / p.inner, i = e % p.inner;
		float acc = 0.0;
		for (uint j = 0u; j < p.n; j++) {
			acc += p.s.v[(o * p.n + j) * p.inner + i];
		}
		float v = p.alpha * acc;
		if (p.beta != 0.0) {
			v += p.beta * p.d.v[e];
		}
		p.d.v[e] = v;
	}
}
