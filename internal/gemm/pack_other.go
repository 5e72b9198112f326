//go:build !gc || purego || !amd64

package gemm

// packTransFast has no assembly in this build: packTrans does everything.
func packTransFast(dst, src []float32, ld, kb, w, cols int) (rows, depth int) { return 0, 0 }
