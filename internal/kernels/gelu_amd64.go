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

func geluForward(dst, x []float32) {
	if cpu.HasAVX512 && len(dst) >= 16 {
		n := len(dst) &^ 15
		geluAVX512(dst[:n], x[:n])
		dst, x = dst[n:], x[n:]
	}
	geluForwardGeneric(dst, x)
}

func geluBackward(dx, x, dy []float32) {
	if cpu.HasAVX512 && len(dx) >= 16 {
		n := len(dx) &^ 15
		geluGradAVX512(dx[:n], x[:n], dy[:n])
		dx, x, dy = dx[n:], x[n:], dy[n:]
	}
	geluBackwardGeneric(dx, x, dy)
}
