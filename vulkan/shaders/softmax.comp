#version 460
// softmax: for each row of n, d = softmax(x) or, when log is set,
// x - max - log(sum exp(x - max)). One workgroup per row; d may alias x.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 x; uint rows, n, log_; } p;

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
	if (!isinf(m) || m > 0.0) {
		for (uint j = t; j < p.n; j += 256u) {
			s += exp(p.x.v[base + j] - m);
		}
	}
	s = wgSum(s);
	if (p.log_ != 0u) {
		float lse = (isinf(m) && m < 0.0) ? m : m + log(s);
		for (uint j = t; j < p.n; j += 256u) {
			p.d.v[base + j] = p.x.v[base + j] - lse;
		}
	} else {
		float inv = 1.0 / s;
		for (uint j = t; j < p.n; j += 256u) {
			p.d.v[base + j] = exp(p.x.v[base + j] - m) * inv;
		}
	}
}
