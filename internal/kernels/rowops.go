package kernels

import "math"

// The row primitives of the softmax kernels, each with a generic and an
// AVX-512 implementation.

// maxScaled is
//
//	m := -Inf
//	for j, v := range x {
//		if len(mask) == 0 || mask[j] != 0 {
//			m = max(m, v*scale)
//		}
//	}
//	return m
//
// (NaN values may be skipped: the exp pass that follows turns them into a
// NaN row anyway).
func maxScaled(x, mask []float32, scale float32) float32 {
	if len(mask) > 0 {
		mask = mask[:len(x)]
	}
	return maxScaledImpl(x, mask, scale)
}

// scaleInPlace is
//
//	for j := range x {
//		x[j] *= a
//	}
func scaleInPlace(x []float32, a float32) { scaleInPlaceImpl(x, a) }

// dot is
//
//	for j := range a {
//		s += a[j] * b[j]
//	}
//
// in float32 (16 partial sums in the AVX-512 code).
func dot(a, b []float32) float32 { return dotImpl(a, b[:len(a)]) }

// softmaxGradRow is
//
//	for j := range dx {
//		dx[j] = alpha * y[j] * (dy[j] - d)
//	}
//
// dx may alias dy.
func softmaxGradRow(dx, y, dy []float32, d, alpha float32) {
	softmaxGradRowImpl(dx, y[:len(dx)], dy[:len(dx)], d, alpha)
}

var negInf = float32(math.Inf(-1))
