#version 460
// layernorm_backward: dx = rstd*(g - mean(g) - xhat*mean(g*xhat)) per row,
// g = dy*gamma (dy when flags bit 1 is clear), xhat = (x-mean)*rstd.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dx; F32 dy; F32 x; F32 mean; F32 rstd; F32 gamma; uint rows, n, flags; } p;

void main() {
	uint r = ROW;
	if (r >= p.rows) {
		return;
	}
	uint base = r * p.n, t = gl_LocalInvocationID.x;
	float mu = p.mean.v[r], rs = p.rstd.v[r];
	bool hg = (p.flags & 1u) != 0u;
	float sg = 0.0, sgx = 0.0;
	for (uint j = t; j < p.n; j += 256u) {
		float g = p.dy.v[base + j];
		if (hg) {
			g *= p.gamma.v[j];
		}
		sg += g;
		sgx += g * (p.x.v[base + j] - mu) * rs;
	}
	float mg = wgSum(sg) / float(p.n);
	float mgx = wgSum(sgx) / float(p.n);
	for (uint j = t; j < p.n; j += 256u) {
		float g = p.dy.v[base + j];
		if (hg) {
			g *= p.gamma.v[j];
		}
		p.dx.v[base + j] = rs * (g - mg - (p.x.v[base + j] - mu) * rs * mgx);
	}
}
