#version 460
// scatter_add: for each distinct destination row u (rows[u]) and column j,
// d[rows[u]*n+j] += src[i*n+j] for the source rows i of u in index order
// (order[start[u]:start[u+1]]), one thread per (u, j): no atomics, and the
// same sums as kernels.ScatterAddRows. rows, start and order live in one
// int buffer at offsets 0, nu and 2*nu+1.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 src; I32 lists; uint nu, n; } p;

void main() {
	uint total = p.nu * p.n;
	uint e = ELEM;
	if (e < total) {
		uint u = e / p.n, j = e % p.n;
		uint row = uint(p.lists.v[u]);
		uint s0 = uint(p.lists.v[p.nu + u]), s1 = uint(p.lists.v[p.nu + u + 1u]);
		uint di = row * p.n + j;
		float v = p.d.v[di];
		for (uint s = s0; s < s1; s += 1u) {
			v += p.src.v[uint(p.lists.v[2u * p.nu + 1u + s]) * p.n + j];
		}
		p.d.v[di] = v;
	}
}
