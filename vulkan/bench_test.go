//go:build vulkan && cgo

package vulkan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/fwht"
)

// gemmShapes are square products and the RoBERTa-base shapes of one layer
// over 8x128 tokens (QKV/out projection, FFN up, FFN down).
var gemmShapes = []struct {
	name    string
	m, n, k int
	tb      bool
}{
	{"256", 256, 256, 256, false},
	{"512", 512, 512, 512, false},
	{"1024", 1024, 1024, 1024, false},
	{"roberta_qkv_1024x768x768_nt", 1024, 768, 768, true},
	{"roberta_ffn_1024x3072x768_nt", 1024, 3072, 768, true},
}

// BenchmarkSgemm times C = A*op(B) on the device (one product, submitted
// and waited for per iteration) and, as the anchor, on the CPU device.
func BenchmarkSgemm(b *testing.B) {
	d := open(b)
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		for _, dev := range []autograd.Device{d, autograd.CPU()} {
			b.Run(fmt.Sprintf("%s/%s", dev.Name(), s.name), func(b *testing.B) {
				a := autograd.MustFromSlice(dev, randn(rng, s.m*s.k), s.m, s.k)
				bb := autograd.MustFromSlice(dev, randn(rng, s.k*s.n), s.k*s.n)
				c := autograd.Empty(dev, s.m, s.n)
				defer func() { a.Release(); bb.Release(); c.Release() }()
				ldb := s.n
				if s.tb {
					ldb = s.k
				}
				g := autograd.GemmArgs{TransB: s.tb, M: s.m, N: s.n, K: s.k, Alpha: 1, A: a, B: bb, C: c,
					LdA: s.k, LdB: ldb, LdC: s.n, Batch: 1}
				dev.Gemm(g)
				if dev == autograd.Device(d) {
					d.Sync()
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					dev.Gemm(g)
					if dev == autograd.Device(d) {
						d.Sync()
					}
				}
				b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkFWHT times in-place transforms of 2^20 values as rows of n on
// the device (submitted and waited for per iteration) and with package fwht
// on the CPU (TransformBatch, one goroutine).
func BenchmarkFWHT(b *testing.B) {
	d := open(b)
	rng := rand.New(rand.NewPCG(2, 2))
	const total = 1 << 20
	for _, n := range []int{1024, 4096, 1 << 16, 1 << 20} {
		x := randn(rng, total)
		b.Run(fmt.Sprintf("vulkan/n=%d", n), func(b *testing.B) {
			t := autograd.MustFromSlice(d, x, total)
			defer t.Release()
			b.SetBytes(total * 4)
			for i := 0; i < b.N; i++ {
				if err := d.FWHT(t, n); err != nil {
					b.Fatal(err)
				}
				d.Sync()
			}
		})
		b.Run(fmt.Sprintf("cpu/n=%d", n), func(b *testing.B) {
			y := append([]float32(nil), x...)
			b.SetBytes(total * 4)
			for i := 0; i < b.N; i++ {
				fwht.TransformBatch(y, n)
			}
		})
	}
}
