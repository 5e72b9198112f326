package kernels

func geluForwardGeneric(dst, x []float32) {
	x = x[:len(dst)]
	for i, v := range x {
		cdf, _ := normCDF32(v)
		dst[i] = v * cdf
	}
}

func geluBackwardGeneric(dx, x, dy []float32) {
	x = x[:len(dx)]
	dy = dy[:len(dx)]
	for i, v := range x {
		cdf, pdf := normCDF32(v)
		dx[i] = dy[i] * (cdf + v*pdf)
	}
}
