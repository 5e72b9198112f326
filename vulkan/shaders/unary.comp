#version 460
// unary: d[i] = op(x[i]) for the ops of kernels.UnaryOp (gelu 0, gelu_tanh 1,
// tanh 2, relu 3, sigmoid 4, exp 5, log 6, sqrt 7, square 8, neg 9). d may
// alias x.
#include "common.glsl"
#include "unary.glsl"
layout(local_size_x = 256) in;
layout(push_constant) uniform P { F32 d; F32 x; uint n, op; } p;

void main() {
	uint i = ELEM;
	if (i < p.n) {
		float v = p.x.v[i], y;
		switch (p.op) {
		case 0u: y = v * normCDF(v).x; break;
		case 1u: y = 0.5 * v * (1.0 + tanhSafe(sqrt2OverPi * (v + geluC * v * v * v))); break;
		case 2u: y = tanhSafe(v); break;
		case 3u: y = (v > 0.0 || isnan(v)) ? v : 0.0; break;
		case 4u: y = sigmoid(v); break;
		case 5u: y = exp(v); break;
		case 6u: y = log(v); break;
		case 7u: y = sqrt(v); break;
		case 8u: y = v * v; break;
		default: y = -v; break;
		}
		p.d.v[i] = y;
	}
}
