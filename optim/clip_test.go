package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// clipParams makes parameters of several sizes (one without a gradient)
// with gradients drawn at the given scale, and the float64 norm.
func clipParams(t *testing.T, scale float64) ([]*autograd.Tensor, [][]float32, float64) {
	rng := rand.New(rand.NewPCG(7, 8))
	sizes := []int{1, 7, 4096, 33, 0, 100003}
	var params []*autograd.Tensor
	var grads [][]float32
	var sum float64
	for i, n := range sizes {
		p := newParam(t, "p"+string(rune('a'+i)), make([]float32, n), n)
		params = append(params, p)
		if i == 2 {
			grads = append(grads, nil) // no gradient: skipped
			continue
		}
		g := make([]float32, n)
		for j := range g {
			g[j] = float32(rng.NormFloat64() * scale)
			sum += float64(g[j]) * float64(g[j])
		}
		setGrad(t, p, g)
		grads = append(grads, g)
	}
	return params, grads, math.Sqrt(sum)
}

func TestGradNorm(t *testing.T) {
	for _, scale := range []float64{1e-20, 1e-3, 1, 1e15} {
		params, _, want := clipParams(t, scale)
		got := GradNorm(params)
		if d := relDiff(got, want, 0); d > 1e-6 {
			t.Errorf("scale %g: GradNorm %v, float64 %v (relative error %.3g)", scale, got, want, d)
		}
	}
	if GradNorm(nil) != 0 {
		t.Error("GradNorm of no parameters is not 0")
	}
	p := newParam(t, "nan", []float32{0, 0}, 2)
	setGrad(t, p, []float32{1, float32(math.NaN())})
	if n := GradNorm(ps(p)); !math.IsNaN(float64(n)) {
		t.Errorf("NaN gradient: norm %v", n)
	}
	setGrad(t, p, []float32{1, float32(math.Inf(-1))})
	if n := GradNorm(ps(p)); !math.IsInf(float64(n), 1) {
		t.Errorf("-Inf gradient: norm %v", n)
	}
}

func TestClipGradNorm(t *testing.T) {
	params, grads, norm := clipParams(t, 1)
	// Below the threshold: nothing changes, the norm comes back.
	got := ClipGradNorm(params, float32(norm*1.01))
	if relDiff(got, norm, 0) > 1e-6 {
		t.Fatalf("norm %v, want %v", got, norm)
	}
	for i, p := range params {
		if grads[i] == nil {
			if p.Grad() != nil {
				t.Fatal("a nil gradient was created")
			}
			continue
		}
		if err := bitsEqual(p.Grad().Data(), grads[i]); err != nil {
			t.Fatalf("below max norm, gradient %d changed: %v", i, err)
		}
	}
	// Above: every gradient scaled by max/(norm+1e-6), new norm ~ max.
	const maxNorm = 0.5
	got = ClipGradNorm(params, maxNorm)
	coef := float32(maxNorm) / (got + float32(1e-6))
	for i, p := range params {
		if grads[i] == nil {
			continue
		}
		want := make([]float32, len(grads[i]))
		for j, g := range grads[i] {
			want[j] = g * coef
		}
		if err := bitsEqual(p.Grad().Data(), want); err != nil {
			t.Fatalf("gradient %d: %v", i, err)
		}
	}
	if after := GradNorm(params); math.Abs(float64(after)-maxNorm) > 1e-5 {
		t.Errorf("norm after clipping %v, want %v", after, maxNorm)
	}
	// maxNorm <= 0 measures only.
	before := params[1].Grad().Data()
	ClipGradNorm(params, 0)
	if err := bitsEqual(params[1].Grad().Data(), before); err != nil {
		t.Errorf("maxNorm 0 changed a gradient: %v", err)
	}
}

func TestClipCoef(t *testing.T) {
	for _, c := range []struct{ norm, max, want float32 }{
		{1, 2, 1},
		{2, 1, 1 / (2 + float32(1e-6))},
		{4, 1, 1 / (4 + float32(1e-6))},
		{1, 0, 1},
		{1, -1, 1},
		{float32(math.Inf(1)), 1, 0},
		{float32(math.NaN()), 1, 1},
	} {
		if got := ClipCoef(c.norm, c.max); got != c.want {
			t.Errorf("ClipCoef(%v, %v) = %v, want %v", c.norm, c.max, got, c.want)
		}
	}
}

// TestOptimizerClipFused checks that Optimizer.ClipGradNorm followed by Step
// (scale fused into the update, gradients untouched) gives the same
// parameters as clipping the gradients in place and stepping, for Adam,
// AdamW and SGD.
func TestOptimizerClipFused(t *testing.T) {
	mk := func(kind string, p *autograd.Tensor) Optimizer {
		var o Optimizer
		var err error
		switch kind {
		case "sgd":
			o, err = NewSGD(OneGroup(ps(p), 0.01), SGDConfig{LR: 0.1, Momentum: 0.9})
		case "adam":
			o, err = NewAdam(OneGroup(ps(p), 0.01), AdamConfig{LR: 1e-3})
		default:
			o, err = NewAdamW(OneGroup(ps(p), 0.01), AdamConfig{LR: 1e-3})
		}
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	for _, kind := range []string{"sgd", "adam", "adamw"} {
		rng := rand.New(rand.NewPCG(9, 10))
		p0, _ := adamData(rng, 257)
		a, b := newParam(t, "w", p0, 257), newParam(t, "w", p0, 257)
		oa, ob := mk(kind, a), mk(kind, b)
		for s := 0; s < 4; s++ {
			g := make([]float32, 257)
			for i := range g {
				g[i] = float32(rng.NormFloat64() * 3)
			}
			setGrad(t, a, g)
			setGrad(t, b, g)
			na := oa.ClipGradNorm(1)
			nb := ClipGradNorm(ps(b), 1)
			if na != nb {
				t.Fatalf("%s: norms %v and %v", kind, na, nb)
			}
			oa.Step()
			ob.Step()
			if err := bitsEqual(a.Grad().Data(), g); err != nil {
				t.Fatalf("%s: fused clipping changed the gradient: %v", kind, err)
			}
			if err := bitsEqual(a.Data(), b.Data()); err != nil {
				t.Fatalf("%s step %d: fused and in-place clipping differ: %v", kind, s, err)
			}
		}
		// The scale applies to one Step only.
		g := make([]float32, 257)
		for i := range g {
			g[i] = float32(rng.NormFloat64() * 3)
		}
		setGrad(t, a, g)
		setGrad(t, b, g)
		oa.Step()
		ob.Step()
		if err := bitsEqual(a.Data(), b.Data()); err != nil {
			t.Fatalf("%s: a grad scale outlived its Step: %v", kind, err)
		}
	}
}
