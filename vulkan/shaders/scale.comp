#version 460
// scale: d[i] = alpha * x[i]; d may alias x.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 x; uint n; float alpha; } p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		p.d.v[i] = p.alpha * p.x.v[i];
	}
}
