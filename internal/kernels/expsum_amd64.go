//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// expSumAVX512 is expSum on len(dst)/16*16 elements (mask empty: no mask).
//
//go:noescape
func expSumAVX512(dst, x, mask []float32, scale, sub float32) float32

func expSumImpl(dst, x, mask []float32, scale, sub float32) float32 {
	if !cpu.HasAVX512 || len(dst) < 16 {
		return expSumGeneric(dst, x, mask, scale, sub)
	}
	n := len(dst) &^ 15
	var m []float32
	if len(mask) > 0 {
		m = mask[:n]
		mask = mask[n:]
	}
	s := expSumAVX512(dst[:n], x[:n], m, scale, sub)
	return s + expSumGeneric(dst[n:], x[n:], mask, scale, sub)
}
