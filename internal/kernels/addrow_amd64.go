//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// addAVX512 is addRowGeneric on len(dst)/16*16 elements (AVX-512F).
//
//go:noescape
func addAVX512(dst, a, b []float32)

func addRowImpl(dst, a, b []float32) {
	if cpu.HasAVX512 && len(dst) >= 16 {
		n := len(dst) &^ 15
		addAVX512(dst[:n], a[:n], b[:n])
		dst, a, b = dst[n:], a[n:], b[n:]
	}
	addRowGeneric(dst, a, b)
}
