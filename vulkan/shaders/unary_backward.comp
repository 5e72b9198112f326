#version 460
// unary_backward: dx[i] = dy[i] * op'(x[i]), reading x or y = op(x) as
// kernels.UnaryBackward does. dx may alias dy.
#include "common.glsl"
#include "unary.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 dx; F32 x; F32 y; F32 dy; uint n, op; } p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		float g = p.dy.v[i], r;
		switch (p.op) {
		case 0u: {
			float v = p.x.v[i];
			vec2 c = normCDF(v);
			r = g * (c.x + v * c.y);
			break;
		}
		case 1u: {
			float u = p.x.v[i];
			float th = tanhSafe(sqrt2OverPi * (u + geluC * u * u * u));
			r = g * (0.5 * (1.0 + th) + 0.5 * u * (1.0 - th * th) * sqrt2OverPi * (1.0 + 3.0 * geluC * u * u));
			break;
		}
		case 2u: { float v = p.y.v[i]; r = g * (1.0 - v * v); break; }
		case 3u: r = p.x.v[i] > 0.0 ? g : 0.0; break;
		case 4u: { float v = p.y.v[i]; r = g * v * (1.0 - v); break; }
		case 5u: r = g * p.y.v[i]; break;
		case 6u: r = g / p.x.v[i]; break;
		case 7u: r = g * 0.5 / p.y.v[i]; break;
		case 8u: r = g * 2.0 * p.x.v[i]; break;
		default: r = -g; break;
		}
		p.dx.v[i] = r;
	}
}
