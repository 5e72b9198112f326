//go:build gc && !purego

package fwht

import "github.com/idim-go/idim/internal/cpu"

// float64 kernels (fwht64_amd64.s).

//go:noescape
func base128dAVX512(x *float64, n int, signs *float64)

//go:noescape
func r8dAVX512(x *float64, h, cols int)

//go:noescape
func r4dAVX512(x *float64, h, cols int)

//go:noescape
func r2dAVX512(x *float64, h, cols int)

//go:noescape
func base32dAVX2(x *float64, n int, signs *float64)

//go:noescape
func r8dAVX2(x *float64, h, cols int)

//go:noescape
func r4dAVX2(x *float64, h, cols int)

//go:noescape
func r2dAVX2(x *float64, h, cols int)

var avx512Kern64 = kern[float64]{
	name: "avx512", baseLg: 7, leafLg: 12,
	base:  func(x []float64) { base128dAVX512(&x[0], len(x), &laneSigns64[0]) },
	r8:    func(x []float64, h, cols int) { _ = x[7*h+cols-1]; r8dAVX512(&x[0], h, cols) },
	r4:    func(x []float64, h, cols int) { _ = x[3*h+cols-1]; r4dAVX512(&x[0], h, cols) },
	r2:    func(x []float64, h, cols int) { _ = x[h+cols-1]; r2dAVX512(&x[0], h, cols) },
	small: &avx2Kern64,
}

var avx2Kern64 = kern[float64]{
	name: "avx2", baseLg: 5, leafLg: 12,
	base:  func(x []float64) { base32dAVX2(&x[0], len(x), &laneSigns64[0]) },
	r8:    func(x []float64, h, cols int) { _ = x[7*h+cols-1]; r8dAVX2(&x[0], h, cols) },
	r4:    func(x []float64, h, cols int) { _ = x[3*h+cols-1]; r4dAVX2(&x[0], h, cols) },
	r2:    func(x []float64, h, cols int) { _ = x[h+cols-1]; r2dAVX2(&x[0], h, cols) },
	small: &generic64,
}

func simdKern64() *kern[float64] {
	switch {
	case cpu.HasAVX512:
		return &avx512Kern64
	case cpu.HasAVX2:
		return &avx2Kern64
	}
	return nil
}
