#version 460
// softmax_backward: per row, softmax: dx = alpha*y*(dy - sum(dy*y));
// log-softmax: dx = alpha*(dy - exp(y)*sum(dy)). dx may alias dy.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dx; F32 y; F32 dy; uint rows, n, log_; float alpha; } p;

void main() {
	uint r = ROW;
	if (r >= p.rows) {
		return;
	}
	uint base = r * p.n, t = gl_LocalInvocationID.x;
	float s = 0.0;
	for (uint j = t; j < p.n; j += 256u) {
		float g = p.dy.v[base + j];
		s += p.log_ != 0u ? g : g * p.y.v[base + j];
	}
	s = wgSum(s);
	for (uint j = t; j < p.n; j += 256u) {
		float g = p.dy.v[base + j], y = p.y.v[base + j];
		float v = p.log_ != 0u ? g - exp(y) * s : y * (g - s);
		p.dx.v[base + j] = p.alpha * v;
	}
}
