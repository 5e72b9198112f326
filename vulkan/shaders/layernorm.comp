#version 460
// layernorm: per row of n, mean, rstd = 1/sqrt(var + eps) and
// y = (x-mean)*rstd*gamma + beta (flags: 1 gamma, 2 beta). Two passes over x.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 y; F32 mean; F32 rstd; F32 x; F32 gamma; F32 beta; uint rows, n, flags; float eps; } p;

void main() {
	uint r = ROW;
	if (r >= p.rows) {
		return;
	}
	uint base = r * p.n, t = gl_LocalInvocationID.x;
	float s = 0.0;
	for (uint j = t; j < p.n; j += 256u) {
		s += p.x.v[base + j];
	}
	float mu = wgSum(s) / float(p.n);
	float q = 0.0;
	for (uint j = t; j < p.n; j += 256u) {
		float d = p.x.v[base + j] - mu;
		q += d * d;
	}
	float rs = 1.0 / sqrt(wgSum(q) / float(p.n) + p.eps);
	if (t == 0u) {
		p.mean.v[r] = mu;
		p.rstd.v[r] = rs;
	}
	for (uint j = t; j < p.n; j += 256u) {
		float v = (p.x.v[base + j] - mu) * rs;
		if ((p.flags & 1u) != 0u) {
			v *= p.gamma.v[j];
		}
		if ((p.flags & 2u) != 0u) {
			v += p.beta.v[j];
		}
		p.y.v[base + j] = v;
	}
}
