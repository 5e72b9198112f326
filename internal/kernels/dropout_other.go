//go:build !amd64 || !gc || purego

package kernels

func dropoutSpan(dst, x []float32, p float32, seed, base uint64) {
	dropoutGeneric(dst, x, p, seed, base)
}
