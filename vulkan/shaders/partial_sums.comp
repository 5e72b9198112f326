#version 460
// partial_sums: the first stage of a long row sum. Row o of n values is cut
// into chunks of chunk values (chunk/256 per thread); workgroup (c, o)
// writes part[o*chunks + c] = sum of chunk c (of the squares when square is
// set). The second stage sums each row of part (reduce_rows).
#include "common.glsl"
#include "reduce.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 part; F32 s; uint n, chunk, chunks, square; } p;

void main() {
	uint c = gl_WorkGroupID.x, o = gl_WorkGroupID.y;
	uint lo = c * p.chunk, hi = min(p.n, lo + p.chunk);
	float acc = 0.0;
	for (uint j = lo + gl_LocalInvocationID.x; j < hi; j += 256u) {
		float v = p.s.v[o * p.n + j];
		acc += p.square != 0u ? v * v : v;
	}
	float t = wgSum(acc);
	if (gl_LocalInvocationID.x == 0u) {
		p.part.v[o * p.chunks + c] = t;
	}
}
