//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// layerNormRowAVX512 is layerNormRowGeneric with gamma and beta for a row
// whose length is a multiple of 8 (AVX-512F; sums in 8 float64 lanes).
//
//go:noescape
func layerNormRowAVX512(y, x, g, b []float32, eps float32) (mean, rstd float32)

func layerNormRow(y, x, g, b []float32, eps float32) (mean, rstd float32) {
	n := len(y)
	if cpu.HasAVX512 && n >= 8 && n%8 == 0 && g != nil && b != nil {
		_, _, _ = x[n-1], g[n-1], b[n-1]
		return layerNormRowAVX512(y, x, g, b, eps)
	}
	return layerNormRowGeneric(y, x, g, b, eps)
}
