#version 460
// fwht: the Walsh-Hadamard butterflies of levels h = 1 .. chunk/2 on each
// chunk of chunk (<= 4096, a power of two) consecutive values, in place, one
// workgroup per chunk through shared memory; level by level as
// fwht.Transform, so the results are bit-identical to the CPU's.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 x; uint chunks, chunk; } p;

shared float s[4096];

void main() {
	uint c = ROW;
	if (c >= p.chunks) {
		return;
	}
	uint base = c * p.chunk, t = gl_LocalInvocationID.x;
	for (uint j = t; j < p.chunk; j += 256u) {
		s[j] = p.x.v[base + j];
	}
	barrier();
	uint half_ = p.chunk / 2u;
	for (uint h = 1u; h < p.chunk; h *= 2u) {
		for (uint q = t; q < half_; q += 256u) {
			uint i = (q / h) * 2u * h + (q % h);
			float a = s[i], b = s[i + h];
			s[i] = a + b;
			s[i + h] = a - b;
		}
		barrier();
	}
	for (uint j = t; j < p.chunk; j += 256u) {
		p.x.v[base + j] = s[j];
	}
}
