//go:build gc && !purego

package kernels

import "github.com/idim-go/idim/internal/cpu"

// dropoutAVX512 is Dropout on len(dst)/16*16 elements, element i hashing
// the counter z0 + i*step and kept when the draw is >= thresh (AVX-512F+DQ).
//
//go:noescape
func dropoutAVX512(dst, x []float32, z0, step, thresh uint64, scale float32)

func dropoutSpan(dst, x []float32, p float32, seed, base uint64) {
	if cpu.HasAVX512 && len(dst) >= 16 {
		n := len(dst) &^ 15
		dropoutAVX512(dst[:n], x[:n], seed+(base+1)*golden, golden, dropoutThreshold(p), 1/(1-p))
		dst, x, base = dst[n:], x[n:], base+uint64(n)
	}
	dropoutGeneric(dst, x, p, seed, base)
}
