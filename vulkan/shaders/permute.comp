#version 460
// permute: d is contiguous with shape dims[0:nd]; element i reads
// s[sum_d idx_d * strides[d]], strides being the source strides of the axes.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; uint n, nd; uint dims[8]; uint strides[8]; } p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		uint r = i, si = 0u;
		for (int d = int(p.nd) - 1; d >= 0; d--) {
			si += (r % p.dims[d]) * p.strides[d];
			r /= p.dims[d];
		}
		p.d.v[i] = p.s.v[si];
	}
}
