#version 460
// binary: d[i] = a[ia(i)] op b[ib(i)] with broadcasting: i runs over the
// contiguous array of shape dims[0:nd] (nd <= 6); ia and ib use the operand
// strides sa and sb (0 on broadcast axes). op: 0 add, 1 sub, 2 mul, 3 div.
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P {
	F32 d; F32 a; F32 b;
	uint n, op, nd, pad;
	uint dims[6]; uint sa[6]; uint sb[6];
} p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		uint r = i, ia = 0u, ib = 0u;
		for (int d = int(p.nd) - 1; d >= 0; d--) {
			uint q = r % p.dims[d];
			r /= p.dims[d];
			ia += q * p.sa[d];
			ib += q * p.sb[d];
		}
		float x = p.a.v[ia], y = p.b.v[ib], z;
		switch (p.op) {
		case 0u: z = x + y; break;
		case 1u: z = x - y; break;
		case 2u: z = x * y; break;
		default: z = x / y; break;
		}
		p.d.v[i] = z;
	}
}
