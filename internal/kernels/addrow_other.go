//go:build !amd64 || !gc || purego

package kernels

func addRowImpl(dst, a, b []float32) { addRowGeneric(dst, a, b) }
