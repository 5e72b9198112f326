package kernels

func expSumGeneric(dst, x, mask []float32, scale, sub float32) float32 {
	x = x[:len(dst)]
	var s float32
	if len(mask) == 0 {
		for j, v := range x {
			e := Exp32(v*scale - sub)
			dst[j] = e
			s += e
		}
		return s
	}
	mask = mask[:len(dst)]
	for j, v := range x {
		if mask[j] == 0 {
			dst[j] = 0
			continue
		}
		e := Exp32(v*scale - sub)
		dst[j] = e
		s += e
	}
	return s
}
