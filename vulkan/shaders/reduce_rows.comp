#version 460
// reduce_rows: d[o] = alpha*sum_j s[o*n+j] + beta*d[o] (beta 0: d not read),
// one workgroup per row o.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; uint rows, n; float alpha, beta; } p;

void main() {
	uint o = ROW;
	if (o >= p.rows) {
		return;
	}
	float acc = 0.0;
	for (uint j = gl_LocalInvocationID.x; j < p.n; j += 256u) {
		acc += p.s.v[o * p.n + j];
	}
	float t = wgSum(acc);
	if (gl_LocalInvocationID.x == 0u) {
		float v = p.alpha * t;
		if (p.beta != 0.0) {
			v += p.beta * p.d.v[o];
		}
		p.d.v[o] = v;
	}
}
