#version 460
// layernorm_params: dgamma[j] = sum_r dy[r,j]*xhat[r,j], dbeta[j] = sum_r
// dy[r,j], one thread per column, rows in order (flags: 1 dgamma, 2 dbeta,
// 4 add to the outputs: the host splits many rows into chunks).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dgamma; F32 dbeta; F32 dy; F32 x; F32 mean; F32 rstd; uint rows, n, flags; } p;

void main() {
	uint j = ELEM;
	if (j < p.n) {
		float g = 0.0, b = 0.0;
		for (uint r = 0u; r < p.rows; r += 1u) {
			float d = p.dy.v[r * p.n + j];
			g += d * (p.x.v[r * p.n + j] - p.mean.v[r]) * p.rstd.v[r];
			b += d;
		}
		bool add = (p.flags & 4u) != 0u;
		if ((p.flags & 1u) != 0u) {
			p.dgamma.v[j] = add ? p.dgamma.v[j] + g : g;
		}
		if ((p.flags & 2u) != 0u) {
			p.dbeta.v[j] = add ? p.dbeta.v[j] + b : b;
		}
	}
}
