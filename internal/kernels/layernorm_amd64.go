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

// layerNormGradRowAVX512 is layerNormGradRowGeneric with gamma for a row
// whose length is a multiple of 16 (float32 sums in 16 lanes).
//
//go:noescape
func layerNormGradRowAVX512(dx, x, dy, g []float32, mu, rs float32)

func layerNormGradRow(dx, x, dy, g []float32, mu, rs float32) {
	n := len(dx)
	if cpu.HasAVX512 && n >= 16 && n%16 == 0 && g != nil {
		_, _, _ = x[n-1], dy[n-1], g[n-1]
		layerNormGradRowAVX512(dx, x, dy, g, mu, rs)
		return
	}
	layerNormGradRowGeneric(dx, x, dy, g, mu, rs)
}

// lnParamSums64AVX512 is lnParamSumsGeneric for w = 64 (AVX-512F,
// bit-identical: the same float32 products, the same float64 adds in the
// same order).
//
//go:noescape
func lnParamSums64AVX512(ag, ab *[lnBlock]float64, x, dy []float32, ld, rows int, mean, rstd []float32)

func lnParamSums(ag, ab *[lnBlock]float64, x, dy []float32, ld, rows, w int, mean, rstd []float32) {
	if cpu.HasAVX512 && w == lnBlock && rows > 0 {
		_, _ = x[(rows-1)*ld+w-1], dy[(rows-1)*ld+w-1]
		_, _ = mean[rows-1], rstd[rows-1]
		lnParamSums64AVX512(ag, ab, x, dy, ld, rows, mean, rstd)
		return
	}
	lnParamSumsGeneric(ag, ab, x, dy, ld, rows, w, mean, rstd)
}
