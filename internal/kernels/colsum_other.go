//go:build !amd64 || !gc || purego

package kernels

func colSums(acc *[reduceBlock]float64, src []float32, ld, rows, w int) {
	colSumsGeneric(acc, src, ld, rows, w)
}
