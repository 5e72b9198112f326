// unary.glsl: the activations of kernels.UnaryOp in float32.
const float invSqrt2 = 0.70710678118654752440;
const float invSqrt2Pi = 0.39894228040143267794;
const float sqrt2OverPi = 0.79788456080286535588;
const float geluC = 0.044715;

// normCDF returns Phi(x) and phi(x) as kernels.normCDF32 does (Abramowitz
// and Stegun 7.1.26 for erf, the tail taken from the product directly).
vec2 normCDF(float x) {
	float z = abs(x) * invSqrt2;
	float e = exp(-z * z);
	float t = 1.0 / (1.0 + 0.3275911 * z);
	float q = 0.5 * t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * e;
	float pdf = invSqrt2Pi * e;
	if (isnan(x)) {
		return vec2(x, x);
	}
	return vec2(x < 0.0 ? q : 1.0 - q, pdf);
}

// tanh without the overflow of exp for large |x|.
float tanhSafe(float x) {
	if (abs(x) > 15.0) {
		return sign(x);
	}
	return tanh(x);
}

float sigmoid(float v) {
	if (v >= 0.0) {
		return 1.0 / (1.0 + exp(-v));
	}
	float e = exp(v);
	return e / (1.0 + e);
}
