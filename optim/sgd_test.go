package optim

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// sgdRef is torch.optim.SGD's single-tensor step in float64.
type sgdRef struct {
	lr, momentum, dampening, wd float64
	nesterov                    bool
}

func (r sgdRef) step(p, g, buf []float64, gs float64, first bool) {
	for i := range p {
		d := gs*g[i] + r.wd*p[i]
		if r.momentum != 0 {
			if first {
				buf[i] = d
			} else {
				buf[i] = r.momentum*buf[i] + (1-r.dampening)*d
			}
			if r.nesterov {
				d += r.momentum * buf[i]
			} else {
				d = buf[i]
			}
		}
		p[i] -= r.lr * d
	}
}

// TestSGDVsFloat64 compares every step with the float64 formula applied to
// the same float32 state; the float32 evaluation may differ by a few
// roundings of the terms' magnitudes.
func TestSGDVsFloat64(t *testing.T) {
	const u = 1.0 / (1 << 24)
	cases := []struct {
		name                        string
		lr, momentum, dampening, wd float32
		nesterov                    bool
		gs                          float32
	}{
		{"plain", 0.1, 0, 0, 0, false, 1},
		{"wd", 0.1, 0, 0, 0.01, false, 1},
		{"momentum", 0.05, 0.9, 0, 0, false, 1},
		{"momentum_wd_clip", 0.05, 0.9, 0, 0.01, false, 0.37},
		{"dampening", 0.05, 0.5, 0.25, 0.001, false, 1},
		{"nesterov", 0.05, 0.9, 0, 0.1, true, 0.5},
	}
	const n, steps = 1031, 5
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			p0, _ := adamData(rng, n)
			p := newParam(t, "w", p0, n)
			opt, err := NewSGD(OneGroup([]*autograd.Tensor{p}, c.wd), SGDConfig{LR: c.lr, Momentum: c.momentum, Dampening: c.dampening, Nesterov: c.nesterov})
			if err != nil {
				t.Fatal(err)
			}
			ref := sgdRef{float64(c.lr), float64(c.momentum), float64(c.dampening), float64(c.wd), c.nesterov}
			buf := make([]float64, n)
			for s := 0; s < steps; s++ {
				_, g := adamData(rng, n)
				setGrad(t, p, g)
				pOld := to64(p.Data())
				if s > 0 && c.momentum != 0 {
					buf, _ = stateOf(opt, p, "momentum_buffer")
				}
				bufOld := append([]float64(nil), buf...)
				pr := append([]float64(nil), pOld...)
				ref.step(pr, to64(g), buf, float64(c.gs), s == 0)
				opt.SetGradScale(c.gs)
				opt.Step()
				got := p.Data()
				for i := range got {
					// Magnitudes of the terms of d and of the update.
					dm := math.Abs(float64(c.gs)*float64(g[i])) + math.Abs(float64(c.wd)*pOld[i])
					if c.momentum != 0 {
						dm += float64(c.momentum) * (math.Abs(bufOld[i]) + math.Abs(buf[i]))
					}
					bound := math.Abs(pr[i])*u + 6*u*float64(c.lr)*dm
					if e := math.Abs(float64(got[i]) - pr[i]); !(e <= bound) {
						t.Fatalf("step %d element %d: p %v -> %v, float64 reference %v (error %.3g, bound %.3g)", s, i, pOld[i], got[i], pr[i], e, bound)
					}
				}
			}
			if c.momentum == 0 {
				if b, _ := stateOf(opt, p, "momentum_buffer"); b != nil {
					t.Error("SGD without momentum keeps a momentum buffer")
				}
			}
		})
	}
}

func TestSGDConfigErrors(t *testing.T) {
	p := newParam(t, "w", []float32{1}, 1)
	for _, cfg := range []SGDConfig{
		{LR: -1},
		{LR: float32(math.NaN())},
		{LR: 0.1, Momentum: -0.5},
		{LR: 0.1, Nesterov: true},
		{LR: 0.1, Momentum: 0.9, Dampening: 0.1, Nesterov: true},
	} {
		if _, err := NewSGD(OneGroup([]*autograd.Tensor{p}, 0), cfg); err == nil {
			t.Errorf("NewSGD(%+v) accepted", cfg)
		} else {
			t.Log(err)
		}
	}
}
