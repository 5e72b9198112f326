#version 460
// dropout: kernels.Dropout with offset 0. The draw of element i is the top
// 24 bits of splitmix64(seed + (i+1)*0x9E3779B97F4A7C15), computed in 32-bit
// halves; the element is kept when the draw is >= thresh = ceil(p*2^24), and
// then multiplied by inv = 1/(1-p) (rounded to float32 by the host).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 x; uint n, seed_lo, seed_hi, thresh; float inv; } p;

uvec2 add64(uvec2 a, uvec2 b) {
	uint carry;
	uint lo = uaddCarry(a.x, b.x, carry);
	return uvec2(lo, a.y + b.y + carry);
}

uvec2 mul64(uvec2 a, uvec2 b) {
	uint hi, lo;
	umulExtended(a.x, b.x, hi, lo);
	return uvec2(lo, hi + a.x * b.y + a.y * b.x);
}

// xorshr returns z ^ (z >> s) for 0 < s < 32.
uvec2 xorshr(uvec2 z, uint s) { return z ^ uvec2((z.x >> s) | (z.y << (32u - s)), z.y >> s); }

void main() {
	const uvec2 golden = uvec2(0x7F4A7C15u, 0x9E3779B9u);
	const uvec2 m1 = uvec2(0x1CE4E5B9u, 0xBF58476Du);
	const uvec2 m2 = uvec2(0x133111EBu, 0x94D049BBu);
	uint i = ELEM;
	if (i < p.n) {
		uvec2 z = add64(uvec2(p.seed_lo, p.seed_hi), mul64(uvec2(i + 1u, i == 0xFFFFFFFFu ? 1u : 0u), golden));
		z = mul64(xorshr(z, 30u), m1);
		z = mul64(xorshr(z, 27u), m2);
		z = xorshr(z, 31u);
		uint u = z.y >> 8;
		p.d.v[i] = u >= p.thresh ? p.x.v[i] * p.inv : 0.0;
	}
}
