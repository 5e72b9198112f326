package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// layer is one post-LN RoBERTa encoder layer built from the ops.
type layer struct {
	wq, bq, wk, bk, wv, bv, wo, bo *autograd.Tensor
	ln1g, ln1b, w1, b1, w2, b2     *autograd.Tensor
	ln2g, ln2b                     *autograd.Tensor
	heads                          int
}

func param(rng *rand.Rand, name string, std float64, shape ...int) *autograd.Tensor {
	p := autograd.NewParameter(autograd.CPU(), name, shape...)
	v := make([]float32, p.Len())
	for i := range v {
		v[i] = float32(std * rng.NormFloat64())
	}
	if std == 0 {
		for i := range v {
			v[i] = 1
		}
	}
	p.SetData(v)
	return p
}

func newLayer(rng *rand.Rand, hidden, heads, ffn int) *layer {
	return &layer{
		wq: param(rng, "q.weight", 0.02, hidden, hidden), bq: param(rng, "q.bias", 0.02, hidden),
		wk: param(rng, "k.weight", 0.02, hidden, hidden), bk: param(rng, "k.bias", 0.02, hidden),
		wv: param(rng, "v.weight", 0.02, hidden, hidden), bv: param(rng, "v.bias", 0.02, hidden),
		wo: param(rng, "o.weight", 0.02, hidden, hidden), bo: param(rng, "o.bias", 0.02, hidden),
		ln1g: param(rng, "ln1.weight", 0, hidden), ln1b: param(rng, "ln1.bias", 0.02, hidden),
		w1: param(rng, "ffn1.weight", 0.02, ffn, hidden), b1: param(rng, "ffn1.bias", 0.02, ffn),
		w2: param(rng, "ffn2.weight", 0.02, hidden, ffn), b2: param(rng, "ffn2.bias", 0.02, hidden),
		ln2g: param(rng, "ln2.weight", 0, hidden), ln2b: param(rng, "ln2.bias", 0.02, hidden),
		heads: heads,
	}
}

func (l *layer) params() []*autograd.Tensor {
	return []*autograd.Tensor{l.wq, l.bq, l.wk, l.bk, l.wv, l.bv, l.wo, l.bo, l.ln1g, l.ln1b, l.w1, l.b1, l.w2, l.b2, l.ln2g, l.ln2b}
}

// forward runs x [B, S, H] through the layer with attention mask [B, S].
func (l *layer) forward(x, mask *autograd.Tensor, seed uint64) *autograd.Tensor {
	b, s, h := x.Dim(0), x.Dim(1), x.Dim(2)
	d := h / l.heads
	split := func(t *autograd.Tensor) *autograd.Tensor {
		return autograd.Permute(autograd.Reshape(t, b, s, l.heads, d), 0, 2, 1, 3)
	}
	q := split(autograd.Linear(x, l.wq, l.bq))
	k := split(autograd.Linear(x, l.wk, l.bk))
	v := split(autograd.Linear(x, l.wv, l.bv))
	p := autograd.MaskedSoftmax(autograd.MatMul(q, k, false, true), mask, float32(1/math.Sqrt(float64(d))))
	p = autograd.Dropout(p, 0.1, seed)
	ctx := autograd.Reshape(autograd.Permute(autograd.MatMul(p, v, false, false), 0, 2, 1, 3), b, s, h)
	a := autograd.Dropout(autograd.Linear(ctx, l.wo, l.bo), 0.1, seed+1)
	h1 := autograd.LayerNorm(autograd.Add(a, x), l.ln1g, l.ln1b, 1e-5)
	f := autograd.GELU(autograd.Linear(h1, l.w1, l.b1))
	f = autograd.Dropout(autograd.Linear(f, l.w2, l.b2), 0.1, seed+2)
	return autograd.LayerNorm(autograd.Add(f, h1), l.ln2g, l.ln2b, 1e-5)
}

// BenchmarkTransformerLayer measures forward + backward of one RoBERTa-base
// encoder layer (hidden 768, 12 heads, FFN 3072) on batch 8 x seq 128, the
// whole step inside one reused Scope. Besides time it reports heap
// allocations per step (allocs/op) and new device buffers per step
// (newbufs/op), both 0 in steady state, and the GFLOP/s of the step's
// matrix products.
func BenchmarkTransformerLayer(b *testing.B) {
	const B, S, H, NH, F = 8, 128, 768, 12, 3072
	rng := rand.New(rand.NewPCG(1, 2))
	l := newLayer(rng, H, NH, F)
	x := param(rng, "x", 1, B, S, H)
	x.SetRequiresGrad(true)
	maskv := make([]float32, B*S)
	for i := 0; i < B; i++ {
		for j := 0; j < S-8*i; j++ { // sequence i has 8*i padding tokens
			maskv[i*S+j] = 1
		}
	}
	mask := autograd.MustFromSlice(autograd.CPU(), maskv, B, S)
	seedv := make([]float32, B*S*H)
	for i := range seedv {
		seedv[i] = float32(rng.NormFloat64())
	}
	seed := autograd.MustFromSlice(autograd.CPU(), seedv, B, S, H)
	var sc autograd.Scope
	step := func(i int) {
		sc.Begin()
		y := l.forward(x, mask, uint64(i)*3)
		y.BackwardWith(seed)
		sc.End()
		x.ZeroGrad()
		autograd.ZeroGrads(l.params())
	}
	step(0) // warm the pool
	step(1)
	before := autograd.CPU().Stats()
	b.ReportAllocs()
	b.ResetTimer()
	i := 2
	for b.Loop() {
		step(i)
		i++
	}
	b.StopTimer()
	after := autograd.CPU().Stats()
	n := float64(i - 2)
	b.ReportMetric(float64(after.NewBuffers-before.NewBuffers)/n, "newbufs/op")
	// Matrix-product flops: forward 4 HxH and 2 HxF linears plus two
	// attention products; backward twice that.
	T := float64(B * S)
	fwd := 2*T*H*H*4 + 2*T*H*F*2 + 2*2*float64(B*NH)*S*S*float64(H/NH)
	b.ReportMetric(3*fwd*n/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkOps times single ops (forward, no recording) at the layer's
// sizes, to show where a step's time goes besides the GEMM.
func BenchmarkOps(b *testing.B) {
	const B, S, H, NH, F = 8, 128, 768, 12, 3072
	rng := rand.New(rand.NewPCG(3, 4))
	cpu := autograd.CPU()
	x := param(rng, "x", 1, B, S, H)
	xf := param(rng, "xf", 1, B*S, F)
	sc4 := param(rng, "scores", 1, B, NH, S, S)
	g := param(rng, "g", 0, H)
	be := param(rng, "b", 0.1, H)
	mask := autograd.Full(cpu, 1, B, S)
	lab := make([]int32, B*S)
	logits := param(rng, "logits", 1, B*S, 2)
	cases := []struct {
		name  string
		elems int
		f     func()
	}{
		{"gelu_8x128x3072", B * S * F, func() { autograd.GELU(xf) }},
		{"layernorm_8x128x768", B * S * H, func() { autograd.LayerNorm(x, g, be, 1e-5) }},
		{"add_8x128x768", B * S * H, func() { autograd.Add(x, x) }},
		{"masked_softmax_8x12x128x128", B * NH * S * S, func() { autograd.MaskedSoftmax(sc4, mask, 0.125) }},
		{"permute_0213_8x128x12x64", B * S * H, func() { autograd.Permute(autograd.Reshape(x, B, S, NH, H/NH), 0, 2, 1, 3) }},
		{"dropout_8x12x128x128", B * NH * S * S, func() { autograd.Dropout(sc4, 0.1, 1) }},
		{"cross_entropy_1024x2", B * S * 2, func() { autograd.CrossEntropy(logits, lab) }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var sc autograd.Scope
			b.SetBytes(int64(4 * c.elems))
			b.ReportAllocs()
			autograd.NoGrad(func() {
				for b.Loop() {
					sc.Begin()
					c.f()
					sc.End()
				}
			})
		})
	}
}
