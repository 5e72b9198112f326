package optim

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// robertaBaseShapes are the parameter shapes of roberta-base (with its
// pooler): 124,645,632 values in 199 tensors.
func robertaBaseShapes() [][]int {
	const h, ff, vocab, pos = 768, 3072, 50265, 514
	s := [][]int{{vocab, h}, {pos, h}, {1, h}, {h}, {h}}
	for l := 0; l < 12; l++ {
		s = append(s,
			[]int{h, h}, []int{h}, []int{h, h}, []int{h}, []int{h, h}, []int{h}, // q, k, v
			[]int{h, h}, []int{h}, []int{h}, []int{h}, // attention output + LN
			[]int{ff, h}, []int{ff}, []int{h, ff}, []int{h}, []int{h}, []int{h}) // FFN + LN
	}
	return append(s, []int{h, h}, []int{h})
}

// benchParams makes parameters of the given shapes with gradients.
func benchParams(b *testing.B, shapes [][]int) ([]*autograd.Tensor, int) {
	rng := rand.New(rand.NewPCG(1, 1))
	var params []*autograd.Tensor
	total := 0
	for i, s := range shapes {
		n := 1
		for _, d := range s {
			n *= d
		}
		total += n
		x := make([]float32, n)
		for j := range x {
			x[j] = float32(rng.NormFloat64() * 0.02)
		}
		p := newParam(b, fmt.Sprintf("p%d", i), x, s...)
		setGrad(b, p, x) // any gradient will do
		params = append(params, p)
	}
	return params, total
}

func releaseAll(ts []*autograd.Tensor) {
	for _, t := range ts {
		t.Release()
	}
}

// BenchmarkAdamWStep is one optimizer step (fused AdamW kernel on every
// tensor, HF weight-decay groups). Bytes per parameter: 16 read (p, g, m,
// v) + 12 written (p, m, v) = 28.
func BenchmarkAdamWStep(b *testing.B) {
	for _, c := range []struct {
		name   string
		shapes [][]int
	}{
		{"roberta-base", robertaBaseShapes()},
		{"n=1M", [][]int{{1 << 20}}},
	} {
		b.Run(c.name, func(b *testing.B) {
			params, n := benchParams(b, c.shapes)
			defer releaseAll(params)
			o, err := NewAdamW(OneGroup(params, 0.01), AdamConfig{LR: 1e-5})
			if err != nil {
				b.Fatal(err)
			}
			defer o.Release()
			o.Step() // allocate the state
			b.SetBytes(28 * int64(n))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				o.Step()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparam/s")
		})
	}
}

// BenchmarkClipGradNorm is GradNorm over roberta-base's gradients (4 bytes
// read per parameter); with the scale then fused into the AdamW step,
// clipping costs this much.
func BenchmarkClipGradNorm(b *testing.B) {
	params, n := benchParams(b, robertaBaseShapes())
	defer releaseAll(params)
	b.SetBytes(4 * int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		GradNorm(params)
	}
}

// BenchmarkAxpyAnchor is the bandwidth anchor for the numbers above: the
// CPU device's Axpy (y += a*x, 12 bytes per element) over as many elements
// as roberta-base has parameters, in one tensor.
func BenchmarkAxpyAnchor(b *testing.B) {
	n := 0
	for _, s := range robertaBaseShapes() {
		k := 1
		for _, d := range s {
			k *= d
		}
		n += k
	}
	x := autograd.NewParameter(cpu, "x", n)
	y := autograd.NewParameter(cpu, "y", n)
	defer x.Release()
	defer y.Release()
	b.SetBytes(12 * int64(n))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cpu.Axpy(1e-3, x, y)
	}
}
