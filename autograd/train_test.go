package autograd_test

import (
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// TestTrainingConverges trains a small attention + MLP classifier end to end
// (embedding, masked attention, layernorm, GELU, dropout, cross-entropy,
// Adam) on a task it can only solve by learning: the label is whether
// token 1 occurs in the (padded) sequence. The loss must fall far below
// chance.
func TestTrainingConverges(t *testing.T) {
	const V, H, S, B, C = 8, 16, 6, 16, 2
	rng := rand.New(rand.NewPCG(8, 9))
	init := func(name string, std float64, shape ...int) *autograd.Tensor {
		p := autograd.NewParameter(cpu, name, shape...)
		v := make([]float32, p.Len())
		for i := range v {
			v[i] = float32(std * rng.NormFloat64())
		}
		p.SetData(v)
		return p
	}
	emb := init("emb", 0.5, V, H)
	wq, wk, wv := init("q", 0.3, H, H), init("k", 0.3, H, H), init("v", 0.3, H, H)
	g := autograd.NewParameter(cpu, "ln.g", H)
	g.SetData(ones(H))
	bln := autograd.NewParameter(cpu, "ln.b", H)
	w1, b1 := init("w1", 0.3, 2*H, H), init("b1", 0, 2*H)
	w2, b2 := init("w2", 0.3, C, 2*H), init("b2", 0, C)
	params := []*autograd.Tensor{emb, wq, wk, wv, g, bln, w1, b1, w2, b2}
	var ms, vs []*autograd.Tensor
	for _, p := range params {
		ms = append(ms, autograd.NewState(cpu, p.Name()+".m", p.Shape()...))
		vs = append(vs, autograd.NewState(cpu, p.Name()+".v", p.Shape()...))
	}
	batch := func() ([]int32, []float32, []int32) {
		ids := make([]int32, B*S)
		mask := make([]float32, B*S)
		labels := make([]int32, B)
		for b := 0; b < B; b++ {
			n := 2 + rng.IntN(S-1)
			for j := 0; j < S; j++ {
				if j < n {
					ids[b*S+j] = int32(2 + rng.IntN(V-2))
					mask[b*S+j] = 1
				}
			}
			if rng.IntN(2) == 0 {
				ids[b*S+rng.IntN(n)] = 1
				labels[b] = 1
			}
		}
		return ids, mask, labels
	}
	var sc autograd.Scope
	var first, last float64
	const steps = 300
	for step := 1; step <= steps; step++ {
		ids, maskv, labels := batch()
		sc.Begin()
		mask := autograd.MustFromSlice(cpu, maskv, B, S)
		x := autograd.Reshape(autograd.Embedding(emb, ids), B, S, H)
		q := autograd.Reshape(autograd.Linear(x, wq, nil), B, 1, S, H)
		k := autograd.Reshape(autograd.Linear(x, wk, nil), B, 1, S, H)
		v := autograd.Reshape(autograd.Linear(x, wv, nil), B, 1, S, H)
		p := autograd.MaskedSoftmax(autograd.MatMul(q, k, false, true), mask, 0.25)
		a := autograd.Reshape(autograd.MatMul(p, v, false, false), B, S, H)
		h := autograd.LayerNorm(autograd.Add(a, x), g, bln, 1e-5)
		// Masked mean over the sequence.
		m3 := autograd.Reshape(mask, B, S, 1)
		pooled := autograd.Div(autograd.Sum(autograd.Mul(h, m3), 1, false), autograd.Sum(m3, 1, false))
		f := autograd.Dropout(autograd.GELU(autograd.Linear(pooled, w1, b1)), 0.1, uint64(step))
		loss := autograd.CrossEntropy(autograd.Linear(f, w2, b2), labels)
		loss.Backward()
		l := float64(loss.Item())
		sc.End()
		for i, p := range params {
			if err := autograd.AdamUpdate(p, ms[i], vs[i], autograd.AdamParams{LR: 1e-2, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: step, Decoupled: true, WeightDecay: 0.01}); err != nil {
				t.Fatal(err)
			}
		}
		autograd.ZeroGrads(params)
		switch {
		case step <= 20:
			first += l / 20
		case step > steps-20:
			last += l / 20
		}
	}
	t.Logf("mean loss: first 20 steps %.3f, last 20 steps %.3f", first, last)
	if !(last < 0.25 && last < first/2) {
		t.Fatalf("training did not converge: loss %.3f -> %.3f", first, last)
	}
}

func ones(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = 1
	}
	return v
}
