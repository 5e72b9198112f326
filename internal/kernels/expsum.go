package kernels

// expSum is the exponential pass of the softmax kernels:
//
//	for j := range dst {
//		if len(mask) > 0 && mask[j] == 0 {
//			dst[j] = 0
//			continue
//		}
//		dst[j] = exp(x[j]*scale - sub)
//		s += dst[j]
//	}
//	return s
//
// with exp as Exp32 for arguments up to 88 (callers pass arguments <= 0).
// The sum is in float32; the AVX-512 code keeps 16 partial sums, so the
// last bits depend on the implementation (never on the thread count).
func expSum(dst, x, mask []float32, scale, sub float32) float32 {
	x = x[:len(dst)]
	if len(mask) > 0 {
		mask = mask[:len(dst)]
	}
	return expSumImpl(dst, x, mask, scale, sub)
}
