//go:build gc && !purego

package gemm

import "github.com/idim-go/idim/internal/cpu"

//go:noescape
func kernel12x32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernel4x32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernel8x32AVX512(k int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func kernel6x16AVX2(k int, a, b, c *float32, ldc int, alpha, beta float32)

var (
	kernAVX512 = kernel{name: "avx512", mr: 12, nr: 32, kc: 256, mc: 480, fn: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		kernel12x32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	}, parts: []kernelPart{
		{4, func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
			kernel4x32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
		}},
		{8, func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
			kernel8x32AVX512(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
		}},
	}}
	kernAVX2 = kernel{name: "avx2", mr: 6, nr: 16, kc: 256, mc: 240, fn: func(k int, a, b, c []float32, ldc int, alpha, beta float32) {
		kernel6x16AVX2(k, &a[0], &b[0], &c[0], ldc, alpha, beta)
	}}
)

// pickKernel returns the fastest micro-kernel the flags in internal/cpu allow.
func pickKernel() *kernel {
	switch {
	case cpu.HasAVX512:
		return &kernAVX512
	case cpu.HasAVX2:
		return &kernAVX2
	}
	return &kernGeneric
}
