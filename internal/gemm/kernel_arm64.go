//go:build gc && !purego

package gemm

import "github.com/idim-go/idim/internal/cpu"

//go:noescape
func kernel8x12NEON(k int, a, b, c *float32, ldc int, alpha, beta float32)

var kernNEON = kernel{name: "neon", mr: 8, nr: 12, kc: 256, mc: 256, fn: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
	kernel8x12NEON(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
}}

// pickKernel returns the NEON micro-kernel unless it is switched off.
func pickKernel() *kernel {
	if cpu.HasNEON {
		return &kernNEON
	}
	return &kernGeneric
}
