//go:build !amd64 || !gc || purego

package kernels

func layerNormRow(y, x, g, b []float32, eps float32) (mean, rstd float32) {
	return layerNormRowGeneric(y, x, g, b, eps)
}

func layerNormGradRow(dx, x, dy, g []float32, mu, rs float32) {
	layerNormGradRowGeneric(dx, x, dy, g, mu, rs)
}

func lnParamSums(ag, ab *[lnBlock]float64, x, dy []float32, ld, rows, w int, mean, rstd []float32) {
	lnParamSumsGeneric(ag, ab, x, dy, ld, rows, w, mean, rstd)
}
