#version 460
// masked_softmax: rows of k scores; row r belongs to batch r/per_batch;
// softmax of scale*x over the keys with mask[b,j] != 0 (0 elsewhere), 1/k
// when every key is masked (kernels.MaskedSoftmax). d may alias x.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 x; F32 mask; uint rows, k, per_batch, has_mask; float scale; } p;

void main() {
	uint r = ROW;
	if (r >= p.rows) {
		return;
	}
	uint base = r * p.k, mb = (r / p.per_batch) * p.k, t = gl_LocalInvocationID.x;
	bool hm = p.has_mask != 0u;
	float m = -1.0 / 0.0;
	float any = 0.0;
	for (uint j = t; j < p.k; j += 256u) {
		if (!hm || p.mask.v[mb + j] != 0.0) {
			any = 1.0;
			m = maxNaN(m, p.x.v[base + j] * p.scale);
		}
	}
	m = wgMax(m);
	any = wgSum(any);
	if (any == 0.0) {
		for (uint j = t; j < p.k; j += 256u) {
			p.d.v[base + j] = 1.0 / float(p.k);
		}
		return;
	}
	float s = 0.0;
	for (uint j = t; j < p.k; j += 256u) {
		if (!hm || p.mask.v[mb + j] != 0.0) {
			s += exp(p.x.v[base + j] * p.scale - m);
		}
	}
	float inv = 1.0 / wgSum(s);
	for (uint j = t; j < p.k; j += 256u) {
		float v = 0.0;
		if (!hm || p.mask.v[mb + j] != 0.0) {
			v = exp(p.x.v[base + j] * p.scale - m) * inv;
		}
		p.d.v[base + j] = v;
	}
}
