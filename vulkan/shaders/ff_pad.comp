#version 460
// ff_pad: the elementwise ends of a Fastfood projection (Device.Fastfood):
// d[j] = B_j s[j] * scale for j < len (B_j applied by flipping the sign
// bit, as package fwht does, when sign is not 0; sign holds B as +-1.0),
// d[j] = 0 for len <= j < total.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; F32 sign; uint len, total, useSign; float scale; } p;

void main() {
	uint j = ELEM;
	if (j >= p.total) {
		return;
	}
	float v = 0.0;
	if (j < p.len) {
		v = p.s.v[j];
		if (p.useSign != 0u) {
			v = uintBitsToFloat(floatBitsToUint(v) ^ (floatBitsToUint(p.sign.v[j]) & 0x80000000u));
		}
		v *= p.scale;
	}
	p.d.v[j] = v;
}
