#version 460
// axpy: y[i] += alpha * x[i].
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 x; F32 y; uint n; float alpha; } p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		p.y.v[i] += p.alpha * p.x.v[i];
	}
}
