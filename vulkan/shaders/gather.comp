#version 460
// gather: d[i*n+j] = table[idx[i]*n+j].
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 table; I32 idx; uint rows, n; } p;

void main() {
	uint total = p.rows * p.n;
	uint e = ELEM;
	if (e < total) {
		uint i = e / p.n, j = e % p.n;
		p.d.v[e] = p.table.v[uint(p.idx.v[i]) * p.n + j];
	}
}
