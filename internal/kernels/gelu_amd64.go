//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// geluAVX512 is GELUForward on len(dst)/16*16 elements (AVX-512F).
//
//go:noescape
func geluAVX512(dst, x []float32)

// geluGradAVX512 is GELUBackward on len(dx)/16*16 elements (AVX-512F).
//
//go:noescape
func geluGradAVX512(dx, x, dy []float32)

// geluAVX2 is GELUForward on len(dst)/8*8 elements (AVX2 and FMA).
//
//go:noescape
func geluAVX2(dst, x []float32)

// geluGradAVX2 is GELUBackward on len(dx)/8*8 elements (AVX2 and FMA).
//
//go:noescape
func geluGradAVX2(dx, x, dy []float32)

func geluForward(dst, x []float32) {
	switch {
	case cpu.HasAVX512 && len(dst) >= 16:
		n := len(dst) &^ 15
		geluAVX512(dst[:n], x[:n])
		dst, x = dst[n:], x[n:]
	case cpu.HasAVX2 && len(dst) >= 8:
		n := len(dst) &^ 7
		geluAVX2(dst[:n], x[:n])
		dst, x = dst[n:], x[n:]
	}
	geluForwardGeneric(dst, x)
}

func geluBackward(dx, x, dy []float32) {
	switch {
	case cpu.HasAVX512 && len(dx) >= 16:
		n := len(dx) &^ 15
		geluGradAVX512(dx[:n], x[:n], dy[:n])
		dx, x, dy = dx[n:], x[n:], dy[n:]
	case cpu.HasAVX2 && len(dx) >= 8:
		n := len(dx) &^ 7
		geluGradAVX2(dx[:n], x[:n], dy[:n])
		dx, x, dy = dx[n:], x[n:], dy[n:]
	}
	geluBackwardGeneric(dx, x, dy)
}
