//go:build vulkan && cgo

package vulkan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/fwht"
	"github.com/idim-go/idim/optim"
	"github.com/idim-go/idim/transformer"
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

// BenchmarkTrainStep times one training step (forward, classification
// loss, backward, AdamW) of an idim-tiny-shaped RoBERTa (2 layers, hidden
// 128, 4 heads, FFN 512, vocabulary 8192) on a batch of 8 x 64 tokens, on
// the Vulkan device and, as the anchor, on the CPU device. Only the loss
// comes back to the host each step.
func BenchmarkTrainStep(b *testing.B) {
	cfg := tinyConfig()
	cfg.VocabSize = 8192
	cfg.HiddenSize = 128
	cfg.NumAttentionHeads = 4
	cfg.IntermediateSize = 512
	cfg.MaxPositionEmbeddings = 130
	const B, T = 8, 64
	ids := make([]int32, B*T)
	att := make([]int32, B*T)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range ids {
		ids[i] = int32(3 + rng.IntN(cfg.VocabSize-3))
		att[i] = 1
	}
	labels := make([]int32, B)
	for i := range labels {
		labels[i] = int32(rng.IntN(cfg.NumLabels))
	}
	run := func(b *testing.B, dev autograd.Device) {
		m, err := transformer.New(cfg, 7, transformer.WithDevice(dev))
		if err != nil {
			b.Fatal(err)
		}
		m.SetTrain(true)
		opt, err := optim.NewAdamW(optim.OneGroup(m.Parameters(), 0.01), optim.AdamConfig{LR: 1e-4})
		if err != nil {
			b.Fatal(err)
		}
		defer func() {
			opt.Release()
			for _, p := range m.Parameters() {
				p.Release()
			}
		}()
		batch := transformer.Batch{B: B, T: T, InputIDs: ids, Attention: att}
		var sc autograd.Scope
		step := func(i int) float32 {
			sc.Begin()
			defer sc.End()
			m.SetSeed(uint64(i))
			h, err := m.Encode(batch)
			if err != nil {
				b.Fatal(err)
			}
			logits, _ := m.ClassifierLogits(h)
			loss, _ := transformer.ClassificationLoss(logits, labels)
			l := loss.Item()
			loss.Backward()
			opt.Step()
			autograd.ZeroGrads(m.Parameters())
			return l
		}
		step(0) // warm-up: pipelines, buffer pools
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if l := step(i + 1); l != l {
				b.Fatalf("step %d: loss is NaN", i)
			}
		}
		b.ReportMetric(float64(B*T*b.N)/b.Elapsed().Seconds(), "tokens/s")
	}
	b.Run("device=vulkan", func(b *testing.B) { run(b, autograd.WithFallback(open(b))) })
	b.Run("device=cpu", func(b *testing.B) { run(b, autograd.CPU()) })
}
