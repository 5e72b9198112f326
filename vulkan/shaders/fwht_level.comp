#version 460
// fwht_level: one level h of the butterflies on rows of n values in place:
// x[j], x[j+h] = x[j]+x[j+h], x[j]-x[j+h] for every pair (levels above the
// shared-memory chunk of fwht.comp).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 x; uint pairs, n, h; } p;

void main() {
	uint half_ = p.n / 2u;
	uint q = ELEM;
	if (q < p.pairs) {
		uint row = q / half_, k = q % half_;
		uint i = row * p.n + (k / p.h) * 2u * p.h + (k % p.h);
		float a = p.x.v[i], b = p.x.v[i + p.h];
		p.x.v[i] = a + b;
		p.x.v[i + p.h] = a - b;
	}
}
