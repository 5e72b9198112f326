package transformer

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// unfusedAttention is the fused op written with plain autograd ops: split heads by permuted
// copies, MatMul, MaskedSoftmax, Dropout (same seed: same mask), MatMul, merge heads.
func unfusedAttention(q, k, v, mask *autograd.Tensor, B, T, nh, dh int, p float32, seed uint64) *autograd.Tensor {
	heads := func(t *autograd.Tensor) *autograd.Tensor {
		return autograd.Permute(autograd.Reshape(t, B, T, nh, dh), 0, 2, 1, 3)
	}
	s := autograd.MatMul(heads(q), heads(k), false, true)
	probs := autograd.MaskedSoftmax(s, mask, float32(1/math.Sqrt(float64(dh))))
	if p > 0 {
		probs = autograd.Dropout(probs, p, seed)
	}
	ctx := autograd.MatMul(probs, heads(v), false, false)
	return autograd.Reshape(autograd.Permute(ctx, 0, 2, 1, 3), B*T, nh*dh)
}

func TestFusedAttention(t *testing.T) {
	dev := autograd.CPU()
	const B, T, nh, dh = 3, 5, 2, 4
	H := nh * dh
	r := rand.New(rand.NewPCG(5, 6))
	rnd := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	qd, kd, vd, gd := rnd(B*T*H), rnd(B*T*H), rnd(B*T*H), rnd(B*T*H)
	maskData := []float32{1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0}
	for _, p := range []float32{0, 0.3} {
		for _, masked := range []bool{false, true} {
			run := func(fused bool) [][]float32 {
				q := autograd.NewParameter(dev, "q", B*T, H)
				k := autograd.NewParameter(dev, "k", B*T, H)
				v := autograd.NewParameter(dev, "v", B*T, H)
				q.SetData(qd)
				k.SetData(kd)
				v.SetData(vd)
				var mask *autograd.Tensor
				if masked {
					mask = autograd.MustFromSlice(dev, maskData, B, T)
				}
				var out *autograd.Tensor
				if fused {
					m := &Model{Config: Config{HiddenSize: H, NumAttentionHeads: nh, AttentionProbsDropoutProb: float64(p)}, train: true}
					m.SetSeed(11)
					out = m.attention(q, k, v, mask, B, T, T)
				} else {
					m := &Model{}
					m.SetSeed(11)
					out = unfusedAttention(q, k, v, mask, B, T, nh, dh, p, m.nextSeed())
				}
				res := [][]float32{out.Data()}
				autograd.SumAll(autograd.Mul(out, autograd.MustFromSlice(dev, gd, B*T, H))).Backward()
				for _, x := range []*autograd.Tensor{q, k, v} {
					res = append(res, x.Grad().Data())
				}
				return res
			}
			got, want := run(true), run(false)
			for i, name := range []string{"ctx", "dq", "dk", "dv"} {
				if e := relErr(got[i], widen(want[i])); e > 1e-6 {
					t.Errorf("p=%g masked=%v %s: rel err %g", p, masked, name, e)
				}
			}
		}
	}
	// Under NoGrad the op keeps nothing and gives the same values.
	q := autograd.MustFromSlice(dev, qd, B*T, H)
	m := &Model{Config: Config{HiddenSize: H, NumAttentionHeads: nh}}
	var a, b []float32
	autograd.NoGrad(func() { a = m.attention(q, q, q, nil, B, T, T).Data() })
	b = unfusedAttention(q, q, q, nil, B, T, nh, dh, 0, 0).Data()
	if e := relErr(a, widen(b)); e > 1e-6 {
		t.Errorf("no-grad: rel err %g", e)
	}
}
