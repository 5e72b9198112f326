//go:build gc && !purego

package fwht

import "github.com/idim-go/idim/internal/cpu"

// float64 kernels (fwht64_arm64.s).

//go:noescape
func base16dNEON(x *float64, n int, signs *float64)

//go:noescape
func r8dNEON(x *float64, h, cols int)

//go:noescape
func r4dNEON(x *float64, h, cols int)

//go:noescape
func r2dNEON(x *float64, h, cols int)

var neonKern64 = kern[float64]{
	name: "neon", baseLg: 4, leafLg: 12,
	base:  func(x []float64) { base16dNEON(&x[0], len(x), &laneSigns64[0]) },
	r8:    func(x []float64, h, cols int) { _ = x[7*h+cols-1]; r8dNEON(&x[0], h, cols) },
	r4:    func(x []float64, h, cols int) { _ = x[3*h+cols-1]; r4dNEON(&x[0], h, cols) },
	r2:    func(x []float64, h, cols int) { _ = x[h+cols-1]; r2dNEON(&x[0], h, cols) },
	small: &generic64,
}

func simdKern64() *kern[float64] {
	if cpu.HasNEON {
		return &neonKern64
	}
	return nil
}
