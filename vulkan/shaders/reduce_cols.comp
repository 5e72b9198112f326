#version 460
// reduce_cols: src viewed as [outer, n, inner];
// d[o*inner+i] = alpha*sum_j s[(o*n+j)*inner+i] + beta*d[o*inner+i], one
// thread per output, j in order (as kernels.ReduceSum), over j in [j0, j1)
// (the host splits long sums, passing beta = 1 after the first part).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; uint outer, n, inner, j0, j1; float alpha, beta; } p;

void main() {
	uint total = p.outer * p.inner;
	uint e = ELEM;
	if (e < total) {
		uint o = e / p.inner, i = e % p.inner;
		float acc = 0.0;
		for (uint j = p.j0; j < p.j1; j++) {
			acc += p.s.v[(o * p.n + j) * p.inner + i];
		}
		float v = p.alpha * acc;
		if (p.beta != 0.0) {
			v += p.beta * p.d.v[e];
		}
		p.d.v[e] = v;
	}
}
