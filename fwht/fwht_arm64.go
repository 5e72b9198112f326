//go:build gc && !purego

package fwht

import "github.com/idim-go/idim/internal/cpu"

// Assembly kernels (fwht_arm64.s), as in fwht_amd64.go with 4-lane vectors.

//go:noescape
func base128NEON(x *float32, n int, signs *float32)

//go:noescape
func r8NEON(x *float32, h, cols int)

//go:noescape
func r4NEON(x *float32, h, cols int)

//go:noescape
func r2NEON(x *float32, h, cols int)

var neonKern = kern[float32]{
	name: "neon", baseLg: 5, leafLg: 13,
	base:  func(x []float32) { base128NEON(&x[0], len(x), &laneSigns[0]) },
	r8:    func(x []float32, h, cols int) { _ = x[7*h+cols-1]; r8NEON(&x[0], h, cols) },
	r4:    func(x []float32, h, cols int) { _ = x[3*h+cols-1]; r4NEON(&x[0], h, cols) },
	r2:    func(x []float32, h, cols int) { _ = x[h+cols-1]; r2NEON(&x[0], h, cols) },
	small: &generic32,
}

func simdKern32() *kern[float32] {
	if cpu.HasNEON {
		return &neonKern
	}
	return nil
}

//go:noescape
func scaleNEON(x *float32, n int, s float32)

// scaleSIMD multiplies a multiple-of-16 prefix of x by s and returns its
// length.
func scaleSIMD(x []float32, s float32) int {
	m := len(x) &^ 15
	if !cpu.HasNEON || m == 0 {
		return 0
	}
	scaleNEON(&x[0], m, s)
	return m
}
