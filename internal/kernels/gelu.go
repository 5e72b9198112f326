package kernels

// GELUForward is the exact (erf) GELU:
//
//	for i := range dst {
//		dst[i] = x[i] * Phi(x[i])   // Phi(v) = 0.5*(1 + erf(v/sqrt 2))
//	}
//
// with Phi as normCDF32 computes it (absolute error below 1.5e-7 in the
// generic code, 3e-7 in the AVX-512 code). dst may alias x.
func GELUForward(dst, x []float32) {
	x = x[:len(dst)]
	geluForward(dst, x)
}

// GELUBackward is the derivative of GELUForward:
//
//	for i := range dx {
//		dx[i] = dy[i] * (Phi(x[i]) + x[i]*phi(x[i]))   // phi(v) = exp(-v*v/2)/sqrt(2 pi)
//	}
//
// dx may alias dy.
func GELUBackward(dx, x, dy []float32) {
	x = x[:len(dx)]
	dy = dy[:len(dx)]
	geluBackward(dx, x, dy)
}
