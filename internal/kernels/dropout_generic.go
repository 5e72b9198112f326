package kernels

// dropoutGeneric is Dropout on one span whose first element has index base.
func dropoutGeneric(dst, x []float32, p float32, seed, base uint64) {
	x = x[:len(dst)]
	inv := 1 / (1 - p)
	for i, v := range x {
		if DropoutKeep(seed, base+uint64(i), p) {
			dst[i] = v * inv
		} else {
			dst[i] = 0
		}
	}
}
