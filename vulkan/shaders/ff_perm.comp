#version 460
// ff_perm: the permutation pass of a Fastfood projection
// (Device.Fastfood): d[k] = g[k] s[pi[k]] (G Pi s), or when transpose
// d[pi[k]] = g[k] s[k] (Pi^T G s), for k < l; g holds the integer-valued G
// of package fwht and pi its Feistel permutation, both tabulated by the host.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 s; F32 g; I32 pi; uint l, transpose; } p;

void main() {
	uint k = ELEM;
	if (k >= p.l) {
		return;
	}
	uint j = uint(p.pi.v[k]);
	if (p.transpose != 0u) {
		p.d.v[j] = p.g.v[k] * p.s.v[k];
	} else {
		p.d.v[k] = p.g.v[k] * p.s.v[j];
	}
}
