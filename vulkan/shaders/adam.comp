#version 460
// adam: one Adam/AdamW step (kernels.Adam); step = lr/bc1 and rbc2 = 1/bc2
// come from the host in float32 as the CPU computes them.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P {
	F32 w; F32 g; F32 m; F32 v;
	uint n, decoupled;
	float lr, b1, b2, eps, wd, gs, step_, rbc2;
} p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		float w = p.w.v[i];
		float g = p.gs * p.g.v[i];
		if (p.decoupled == 0u) {
			g += p.wd * w;
		}
		float mi = p.b1 * p.m.v[i] + (1.0 - p.b1) * g;
		float vi = p.b2 * p.v.v[i] + (1.0 - p.b2) * g * g;
		p.m.v[i] = mi;
		p.v.v[i] = vi;
		if (p.decoupled != 0u) {
			w -= p.lr * p.wd * w;
		}
		p.w.v[i] = w - p.step_ * mi / (sqrt(vi * p.rbc2) + p.eps);
	}
}
