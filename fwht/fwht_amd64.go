//go:build gc && !purego

package fwht

import "github.com/idim-go/idim/internal/cpu"

// Assembly kernels (fwht_amd64.s). base* do the first levels of every
// chunk in registers; rN are kern.rN on pointers (see driver.go).

//go:noescape
func base512(x *float32, n int, signs *float32)

//go:noescape
func base1024(x *float32, n int, signs *float32)

//go:noescape
func base1024Far(x *float32, n int, signs *float32)

//go:noescape
func r16AVX512(x *float32, h, cols int)

//go:noescape
func r8AVX512(x *float32, h, cols int)

//go:noescape
func r16AVX512Far(x *float32, h, cols int)

//go:noescape
func r8AVX512Far(x *float32, h, cols int)

//go:noescape
func r4AVX512(x *float32, h, cols int)

//go:noescape
func r2AVX512(x *float32, h, cols int)

//go:noescape
func base256(x *float32, n int, signs *float32)

//go:noescape
func r8AVX2(x *float32, h, cols int)

//go:noescape
func r4AVX2(x *float32, h, cols int)

//go:noescape
func r2AVX2(x *float32, h, cols int)

var avx512Kern = kern[float32]{
	name: "avx512", baseLg: 8, leafLg: 12, r16MaxH: 512,
	base:  func(x []float32) { base1024(&x[0], len(x), &laneSigns[0]) },
	r16:   func(x []float32, h, cols int) { _ = x[15*h+cols-1]; r16AVX512(&x[0], h, cols) },
	r8:    func(x []float32, h, cols int) { _ = x[7*h+cols-1]; r8AVX512(&x[0], h, cols) },
	r4:    func(x []float32, h, cols int) { _ = x[3*h+cols-1]; r4AVX512(&x[0], h, cols) },
	r2:    func(x []float32, h, cols int) { _ = x[h+cols-1]; r2AVX512(&x[0], h, cols) },
	small: &avx2Kern,

	baseFar: func(x []float32) { base1024Far(&x[0], len(x), &laneSigns[0]) },
	r8Far:   func(x []float32, h, cols int) { _ = x[7*h+cols-1]; r8AVX512Far(&x[0], h, cols) },
	r16Far:  func(x []float32, h, cols int) { _ = x[15*h+cols-1]; r16AVX512Far(&x[0], h, cols) },
}

var avx2Kern = kern[float32]{
	name: "avx2", baseLg: 6, leafLg: 13,
	base:  func(x []float32) { base256(&x[0], len(x), &laneSigns[0]) },
	r8:    func(x []float32, h, cols int) { _ = x[7*h+cols-1]; r8AVX2(&x[0], h, cols) },
	r4:    func(x []float32, h, cols int) { _ = x[3*h+cols-1]; r4AVX2(&x[0], h, cols) },
	r2:    func(x []float32, h, cols int) { _ = x[h+cols-1]; r2AVX2(&x[0], h, cols) },
	small: &generic32,
}

func simdKern32() *kern[float32] {
	switch {
	case cpu.HasAVX512:
		return &avx512Kern
	case cpu.HasAVX2:
		return &avx2Kern
	}
	return nil
}

//go:noescape
func scaleAVX2(x *float32, n int, s float32)

// scaleSIMD multiplies a multiple-of-32 prefix of x by s and returns its
// length.
func scaleSIMD(x []float32, s float32) int {
	m := len(x) &^ 31
	if !cpu.HasAVX2 || m == 0 {
		return 0
	}
	scaleAVX2(&x[0], m, s)
	return m
}
