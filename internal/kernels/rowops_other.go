//go:build !amd64 || !gc || purego

package kernels

func maxScaledImpl(x, mask []float32, scale float32) float32 {
	return maxScaledGeneric(x, mask, scale)
}

func scaleInPlaceImpl(x []float32, a float32) { scaleInPlaceGeneric(x, a) }

func dotImpl(a, b []float32) float32 { return dotGeneric(a, b) }

func softmaxGradRowImpl(dx, y, dy []float32, d, alpha float32) {
	softmaxGradRowGeneric(dx, y, dy, d, alpha)
}
