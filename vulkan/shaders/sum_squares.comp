#version 460
// sum_squares: d[0] = sum x[i]^2 (+ d[0] when accumulate), one workgroup,
// Kahan-compensated per thread, then a tree.
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 x; uint n, accumulate; } p;

void main() {
	float s = 0.0, c = 0.0;
	for (uint i = gl_LocalInvocationID.x; i < p.n; i += 256u) {
		float v = p.x.v[i];
		float y = v * v - c;
		float t = s + y;
		c = (t - s) - y;
		s = t;
	}
	float r = wgSum(s);
	if (gl_LocalInvocationID.x == 0u) {
		if (p.accumulate != 0u) {
			r += p.d.v[0];
		}
		p.d.v[0] = r;
	}
}
