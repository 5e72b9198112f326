#version 460
// lse: lse[r] = log(sum_j exp(x[r,j])) computed from the row maximum, one
// workgroup per row (the first half of kernels.CrossEntropy).
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 lse; F32 x; uint rows, n; } p;

void main() {
	uint r = ROW;
	if (r >= p.rows) {
		return;
	}
	uint base = r * p.n, t = gl_LocalInvocationID.x;
	float m = -1.0 / 0.0;
	for (uint j = t; j < p.n; j += 256u) {
		m = maxNaN(m, p.x.v[base + j]);
	}
	m = wgMax(m);
	float s = 0.0;
	for (uint j = t; j < p.n; j += 256u) {
		s += exp(p.x.v[base + j] - m);
	}
	s = wgSum(s);
	if (t == 0u) {
		p.lse.v[r] = (isinf(m) && m < 0.0) ? m : m + log(s);
	}
}
