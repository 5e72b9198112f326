//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// The AVX-512 row primitives work on len/16*16 elements; the Go wrappers
// finish the tail with the generic code.

//go:noescape
func maxScaledAVX512(x, mask []float32, scale float32) float32

//go:noescape
func scaleAVX512(x []float32, a float32)

//go:noescape
func dotAVX512(a, b []float32) float32

//go:noescape
func softmaxGradAVX512(dx, y, dy []float32, d, alpha float32)

func maxScaledImpl(x, mask []float32, scale float32) float32 {
	if !cpu.HasAVX512 || len(x) < 16 {
		return maxScaledGeneric(x, mask, scale)
	}
	n := len(x) &^ 15
	var m0, m1 []float32
	if len(mask) > 0 {
		m0, m1 = mask[:n], mask[n:]
	}
	return max(maxScaledAVX512(x[:n], m0, scale), maxScaledGeneric(x[n:], m1, scale))
}

func scaleInPlaceImpl(x []float32, a float32) {
	if cpu.HasAVX512 && len(x) >= 16 {
		n := len(x) &^ 15
		scaleAVX512(x[:n], a)
		x = x[n:]
	}
	scaleInPlaceGeneric(x, a)
}

func dotImpl(a, b []float32) float32 {
	if !cpu.HasAVX512 || len(a) < 16 {
		return dotGeneric(a, b)
	}
	n := len(a) &^ 15
	return dotAVX512(a[:n], b[:n]) + dotGeneric(a[n:], b[n:])
}

func softmaxGradRowImpl(dx, y, dy []float32, d, alpha float32) {
	if cpu.HasAVX512 && len(dx) >= 16 {
		n := len(dx) &^ 15
		softmaxGradAVX512(dx[:n], y[:n], dy[:n], d, alpha)
		dx, y, dy = dx[n:], y[n:], dy[n:]
	}
	softmaxGradRowGeneric(dx, y, dy, d, alpha)
}
