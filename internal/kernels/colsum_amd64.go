//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// colSum64AVX512 adds rows rows of 64 values, ld apart, starting at src[0],
// into acc in float64 (AVX-512F).
//
//go:noescape
func colSum64AVX512(acc *[reduceBlock]float64, src []float32, ld, rows int)

func colSums(acc *[reduceBlock]float64, src []float32, ld, rows, w int) {
	if cpu.HasAVX512 && w == reduceBlock && rows > 0 {
		_ = src[(rows-1)*ld+w-1] // the asm reads this far
		colSum64AVX512(acc, src, ld, rows)
		return
	}
	colSumsGeneric(acc, src, ld, rows, w)
}
