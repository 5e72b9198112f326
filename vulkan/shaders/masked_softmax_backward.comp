#version 460
// masked_softmax_backward: dx = scale*y*(dy - sum(dy*y)) per row, 0 for rows
// whose keys are all masked. dx may alias dy.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dx; F32 y; F32 dy; F32 mask; uint rows, k, per_batch, has_mask; float scale; } p;

void main() {
	uint r = ROW;
	if (r >= p.rows) {
		return;
	}
	uint base = r * p.k, mb = (r / p.per_batch) * p.k, t = gl_LocalInvocationID.x;
	float any = 1.0;
	if (p.has_mask != 0u) {
		any = 0.0;
		for (uint j = t; j < p.k; j += 256u) {
			if (p.mask.v[mb + j] != 0.0) {
				any = 1.0;
			}
		}
		any = wgSum(any);
	}
	float s = 0.0;
	for (uint j = t; j < p.k; j += 256u) {
		s += p.dy.v[base + j] * p.y.v[base + j];
	}
	s = wgSum(s);
	for (uint j = t; j < p.k; j += 256u) {
		float v = any == 0.0 ? 0.0 : p.scale * p.y.v[base + j] * (p.dy.v[base + j] - s);
		p.dx.v[base + j] = v;
	}
}
