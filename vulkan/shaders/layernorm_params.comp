#version 460
// layernorm_params: dgamma[j] = sum_r dy[r,j]*xhat[r,j], dbeta[j] = sum_r
// dy[r,j], one thread per column, rows in order (flags: 1 dgamma, 2 dbeta).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dgamma; F32 dbeta; F32 dy; F32 x; F32 mean; F32 rstd; uint rows, n, flags; } p;

void main() {
	for (uint j = gl_GlobalInvocationID.x; j < p.n; j += STRIDE) {
		float g = 0.0, b = 0.0;
		for (uint r = 0u; r < p.rows; r++) {
			float d = p.dy.v[r * p.n + j];
			g += d * (p.x.v[r * p.n + j] - p.mean.v[r]) * p.rstd.v[r];
			b += d;
		}
		if ((p.flags & 1u) != 0u) {
			p.dgamma.v[j] = g;
		}
		if ((p.flags & 2u) != 0u) {
			p.dbeta.v[j] = b;
		}
	}
}
