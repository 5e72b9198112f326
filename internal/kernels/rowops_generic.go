package kernels

func maxScaledGeneric(x, mask []float32, scale float32) float32 {
	m := negInf
	if len(mask) == 0 {
		for _, v := range x {
			if w := v * scale; w > m {
				m = w
			}
		}
		return m
	}
	mask = mask[:len(x)]
	for j, v := range x {
		if mask[j] != 0 {
			if w := v * scale; w > m {
				m = w
			}
		}
	}
	return m
}

func scaleInPlaceGeneric(x []float32, a float32) {
	for j := range x {
		x[j] *= a
	}
}

func dotGeneric(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for j, v := range a {
		s += v * b[j]
	}
	return s
}

func softmaxGradRowGeneric(dx, y, dy []float32, d, alpha float32) {
	y = y[:len(dx)]
	dy = dy[:len(dx)]
	for j, v := range y {
		dx[j] = alpha * v * (dy[j] - d)
	}
}
