package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
)

func TestDecayGroups(t *testing.T) {
	names := []string{
		"embeddings.word_embeddings.weight",
		"embeddings.LayerNorm.weight",
		"embeddings.LayerNorm.bias",
		"encoder.layer.0.attention.self.query.weight",
		"encoder.layer.0.attention.self.query.bias",
		"encoder.layer.0.output.LayerNorm.weight",
		"classifier.dense.weight",
	}
	var params []*autograd.Tensor
	for _, n := range names {
		params = append(params, newParam(t, n, []float32{0}, 1))
	}
	gs := DecayGroups(params, 0.01, DefaultNoDecay)
	if len(gs) != 2 || gs[0].WeightDecay != 0.01 || gs[1].WeightDecay != 0 {
		t.Fatalf("groups %+v", gs)
	}
	var decay, none []string
	for _, p := range gs[0].Params {
		decay = append(decay, p.Name())
	}
	for _, p := range gs[1].Params {
		none = append(none, p.Name())
	}
	if got := strings.Join(decay, " "); got != "embeddings.word_embeddings.weight encoder.layer.0.attention.self.query.weight classifier.dense.weight" {
		t.Errorf("decay group: %s", got)
	}
	if got := strings.Join(none, " "); got != "embeddings.LayerNorm.weight embeddings.LayerNorm.bias encoder.layer.0.attention.self.query.bias encoder.layer.0.output.LayerNorm.weight" {
		t.Errorf("no-decay group: %s", got)
	}
	if gs := DecayGroups(params[:1], 0.1, DefaultNoDecay); len(gs) != 1 {
		t.Errorf("empty group kept: %+v", gs)
	}
}

// TestWeightDecayGroups: with zero gradients, AdamW moves only the decayed
// group (p *= 1 - lr*wd exactly once per step) and SGD likewise (p -= lr*wd*p).
func TestWeightDecayGroups(t *testing.T) {
	for _, kind := range []string{"adamw", "sgd", "adam"} {
		w := newParam(t, "dense.weight", []float32{1, -2}, 2)
		b := newParam(t, "dense.bias", []float32{3, 4}, 2)
		groups := DecayGroups(ps(w, b), 0.5, DefaultNoDecay)
		var o Optimizer
		switch kind {
		case "adamw":
			o, _ = NewAdamW(groups, AdamConfig{LR: 0.25})
		case "adam":
			o, _ = NewAdam(groups, AdamConfig{LR: 0.25})
		default:
			o, _ = NewSGD(groups, SGDConfig{LR: 0.25})
		}
		setGrad(t, w, []float32{0, 0})
		setGrad(t, b, []float32{0, 0})
		o.Step()
		if err := bitsEqual(b.Data(), []float32{3, 4}); err != nil {
			t.Errorf("%s: no-decay group moved: %v", kind, err)
		}
		got := w.Data()
		switch kind {
		case "adamw", "sgd": // 1 - 0.25*0.5 = 0.875
			if err := bitsEqual(got, []float32{0.875, -1.75}); err != nil {
				t.Errorf("%s: decayed group: %v", kind, err)
			}
		case "adam": // L2: g = 0.5*p, first step moves by lr*sign(g)
			want := []float32{1 - 0.25, -2 + 0.25}
			for i := range got {
				if math.Abs(float64(got[i]-want[i])) > 1e-6 {
					t.Errorf("adam: decayed group %v, want about %v", got, want)
				}
			}
		}
	}
}

// TestNilGradSkipped: a parameter without a gradient keeps its value, gets
// no state, and its own step count (Adam's bias correction) does not advance.
func TestNilGradSkipped(t *testing.T) {
	a := newParam(t, "a", []float32{1, 2}, 2)
	b := newParam(t, "b", []float32{3, 4}, 2)
	o, _ := NewAdam(OneGroup(ps(a, b), 0), AdamConfig{LR: 0.1})
	setGrad(t, a, []float32{1, 1})
	o.Step()
	if err := bitsEqual(b.Data(), []float32{3, 4}); err != nil {
		t.Fatal(err)
	}
	if m, n := stateOf32(o, b, "exp_avg"); m != nil || n != 0 {
		t.Fatalf("b has state %v step %d", m, n)
	}
	// b's first gradient at the optimizer's step 2 is b's own step 1: with
	// bias correction step 1 moves every element by lr (for |g| >> eps).
	setGrad(t, b, []float32{5, -5})
	a.ZeroGrad()
	aBefore := a.Data()
	o.Step()
	if err := bitsEqual(a.Data(), aBefore); err != nil {
		t.Fatalf("a moved without a gradient: %v", err)
	}
	got := b.Data()
	if math.Abs(float64(got[0])-2.9) > 1e-6 || math.Abs(float64(got[1])-4.1) > 1e-6 {
		t.Errorf("b after its first step %v, want [2.9 4.1]", got)
	}
	if _, n := stateOf32(o, a, ""); n != 1 {
		t.Errorf("a's own step count %d, want 1", n)
	}
	if o.Steps() != 2 {
		t.Errorf("Steps %d", o.Steps())
	}
	// SGD too.
	c := newParam(t, "c", []float32{7}, 1)
	s, _ := NewSGD(OneGroup(ps(c), 0.1), SGDConfig{LR: 0.1, Momentum: 0.9})
	s.Step()
	if c.Data()[0] != 7 {
		t.Error("SGD moved a parameter without a gradient (weight decay)")
	}
}

// TestStepInsideScope: state made by a Step inside an autograd.Scope
// survives the scope's End.
func TestStepInsideScope(t *testing.T) {
	a := newParam(t, "a", []float32{1, 2, 3}, 3)
	for _, mk := range []func() Optimizer{
		func() Optimizer { o, _ := NewAdamW(OneGroup(ps(a), 0.1), AdamConfig{LR: 0.1}); return o },
		func() Optimizer {
			o, _ := NewSGD(OneGroup(ps(a), 0.1), SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
			return o
		},
	} {
		o := mk()
		var sc autograd.Scope
		sc.Begin()
		setGrad(t, a, []float32{1, 2, 3})
		o.ClipGradNorm(1)
		o.Step()
		sc.End()
		c := stateCore(o)
		buf := c.params[0].bufs[0]
		want := buf.Data()
		// Churn the allocator: had the state been freed, these would reuse it.
		sc.Begin()
		for i := 0; i < 8; i++ {
			autograd.Full(cpu, 42, 3)
		}
		sc.End()
		if err := bitsEqual(buf.Data(), want); err != nil {
			t.Errorf("%s: state changed after the scope ended: %v", c.kind, err)
		}
		o.Release()
		if c.params[0].bufs[0] != nil || o.Steps() != 0 {
			t.Error("Release kept state")
		}
	}
}

func TestConstructionErrors(t *testing.T) {
	a := newParam(t, "a", []float32{1}, 1)
	a2 := newParam(t, "a", []float32{1}, 1)
	cases := []struct {
		groups []Group
		cfg    AdamConfig
		want   string
	}{
		{OneGroup(ps(a, a2), 0), AdamConfig{LR: 1}, `two parameters are named "a"`},
		{OneGroup(ps(a, a), 0), AdamConfig{LR: 1}, "listed twice"},
		{[]Group{{Params: ps(a)}, {Params: ps(a)}}, AdamConfig{LR: 1}, "listed twice"},
		{OneGroup(ps(a, nil), 0), AdamConfig{LR: 1}, "parameter 1 is nil"},
		{OneGroup(ps(a), float32(math.NaN())), AdamConfig{LR: 1}, "weight decay NaN"},
		{OneGroup(ps(a), 0), AdamConfig{LR: float32(math.Inf(1))}, "learning rate"},
		{OneGroup(ps(a), 0), AdamConfig{LR: 1, Beta1: 1}, "betas"},
		{OneGroup(ps(a), 0), AdamConfig{LR: 1, Beta2: -0.1}, "betas"},
		{OneGroup(ps(a), 0), AdamConfig{LR: 1, Eps: -1}, "eps"},
	}
	for _, c := range cases {
		_, err := NewAdamW(c.groups, c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one saying %q", err, c.want)
		}
	}
	// Unnamed parameters are keyed by position.
	u1 := autograd.NewParameter(cpu, "", 2)
	u2 := autograd.NewParameter(cpu, "", 2)
	if _, err := NewAdam(OneGroup(ps(u1, u2), 0), AdamConfig{LR: 1}); err != nil {
		t.Errorf("unnamed parameters: %v", err)
	}
	if o, _ := NewAdam(nil, AdamConfig{}); o == nil || o.Config().Beta2 != 0.999 || o.Config().Eps != 1e-8 || o.Config().Beta1 != 0.9 {
		t.Errorf("defaults not filled in")
	}
}

// TestZeroGradScale: a grad scale of exactly 0 (an infinite norm clipped)
// zeroes the gradient's contribution, although the kernel reads 0 as 1.
func TestZeroGradScale(t *testing.T) {
	a := newParam(t, "a", []float32{1, 2}, 2)
	o, _ := NewAdam(OneGroup(ps(a), 0), AdamConfig{LR: 0.1})
	setGrad(t, a, []float32{1, -1})
	o.SetGradScale(0)
	o.Step()
	if err := bitsEqual(a.Data(), []float32{1, 2}); err != nil {
		t.Errorf("grad scale 0 moved the parameter: %v", err)
	}
	if v, _ := stateOf32(o, a, "exp_avg_sq"); v[0] != 0 || v[1] != 0 {
		t.Errorf("v %v", v)
	}
}

func TestZeroSizeParameter(t *testing.T) {
	z := autograd.NewParameter(cpu, "empty", 0, 4)
	a := newParam(t, "a", []float32{1}, 1)
	for _, o := range []Optimizer{
		func() Optimizer { o, _ := NewAdamW(OneGroup(ps(z, a), 0.1), AdamConfig{LR: 0.1}); return o }(),
		func() Optimizer { o, _ := NewSGD(OneGroup(ps(z, a), 0.1), SGDConfig{LR: 0.1, Momentum: 0.5}); return o }(),
	} {
		setGrad(t, z, []float32{})
		setGrad(t, a, []float32{1})
		o.ClipGradNorm(1)
		o.Step()
		o.Step()
		path := t.TempDir() + "/s.safetensors"
		if err := o.Save(path); err != nil {
			t.Fatal(err)
		}
		if err := o.Load(path); err != nil {
			t.Fatal(err)
		}
	}
}
