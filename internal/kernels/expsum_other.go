//go:build !amd64 || !gc || purego

package kernels

func expSumImpl(dst, x, mask []float32, scale, sub float32) float32 {
	return expSumGeneric(dst, x, mask, scale, sub)
}
