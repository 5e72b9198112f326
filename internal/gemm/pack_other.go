//go:build !gc || purego || !amd64

package gemm

// packCopyFast has no assembly in this build: packCopy does everything.
func packCopyFast(dst, src []float32, ld, kb, w, width, ss int) int { return 0 }

// packTransFast has no assembly in this build: packTrans does everything.
func packTransFast(dst, src []float32, ld, kb, w, cols int) (rows, depth int) { return 0, 0 }
