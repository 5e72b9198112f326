#version 460
// copy_rows: d[r*dld+c] (+)= s[r*sld+c] for rows x cols.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; uint dld, sld, rows, cols, acc; } p;

void main() {
	uint total = p.rows * p.cols;
	uint e = ELEM;
	if (e < total) {
		uint r = e / p.cols, c = e % p.cols;
		float v = p.s.v[r * p.sld + c];
		if (p.acc != 0u) {
			v += p.d.v[r * p.dld + c];
		}
		p.d.v[r * p.dld + c] = v;
	}
}
