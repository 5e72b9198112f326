package subspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// agMLP is the float64 mlp of subspace_test.go written with autograd ops on
// the CPU device.
type agMLP struct {
	m      *mlp
	params []*autograd.Tensor
	x      *autograd.Tensor
	labels []int32
}

func newAgMLP(m *mlp, ps []Param) *agMLP {
	dev := autograd.CPU()
	a := &agMLP{m: m}
	for _, p := range ps {
		t := autograd.NewParameter(dev, p.Name, p.Shape...)
		if err := t.SetData(p.Data); err != nil {
			panic(err)
		}
		a.params = append(a.params, t)
	}
	var xs []float32
	for s, x := range m.x {
		for _, v := range x {
			xs = append(xs, float32(v))
		}
		a.labels = append(a.labels, int32(m.y[s]))
	}
	a.x = autograd.MustFromSlice(dev, xs, len(m.x), m.in)
	return a
}

func (a *agMLP) loss() *autograd.Tensor {
	p := a.params // emb, l1.weight, l1.bias, l2.weight, l2.bias, temp
	h := autograd.Tanh(autograd.Linear(a.x, p[1], p[2]))
	logits := autograd.Mul(autograd.Linear(h, p[3], p[4]), p[5])
	return autograd.CrossEntropy(logits, a.labels)
}

// TestWrappedMatchesHost: the autograd wrapper writes the same values and
// produces the same theta gradient as the host path with float64 model
// gradients, for every method and projector.
func TestWrappedMatchesHost(t *testing.T) {
	for _, method := range []Method{DID, SAID} {
		for _, kind := range allKinds {
			t.Run(fmt.Sprintf("%v/%v", method, kind), func(t *testing.T) {
				r := rand.New(rand.NewPCG(8, uint64(kind)))
				m := newMLP(r, 6, 5, 3, 7)
				ps := m.params(r)
				ag := newAgMLP(m, ps)
				cfg := Config{Method: method, Kind: kind, D: 25, Seed: 99, Include: Exclude("emb")}
				w, err := Wrap(cfg, ag.params)
				if err != nil {
					t.Fatal(err)
				}
				s, err := New(cfg, ps)
				if err != nil {
					t.Fatal(err)
				}
				if w.Summary() != s.Summary() {
					t.Fatalf("summaries differ: %q vs %q", w.Summary(), s.Summary())
				}
				theta := make([]float32, 25)
				for j := range theta {
					theta[j] = float32(0.2 * r.NormFloat64())
				}
				if method == SAID {
					for j := 20; j < 25; j++ {
						theta[j] = float32(1 + 0.3*r.NormFloat64())
					}
				}
				copy(s.Theta(), theta)
				if err := w.Param().SetData(theta); err != nil {
					t.Fatal(err)
				}
				s.Apply()
				w.Apply()
				for i, p := range ps {
					got := ag.params[i].Data()
					for k := range got {
						if math.Float32bits(got[k]) != math.Float32bits(p.Data[k]) {
							t.Fatalf("%s[%d]: wrapped %g host %g", p.Name, k, got[k], p.Data[k])
						}
					}
				}
				// Host gradient from the float64 model.
				g := zeros64(ps)
				m.loss(values64(ps), g)
				for _, p := range ps {
					for k := range p.Grad {
						p.Grad[k] = float32(g[p.Name][k])
					}
				}
				want := make([]float32, 25)
				s.Grad(want)
				// Twice: autograd accumulates into Param().Grad().
				for range 2 {
					loss := ag.loss()
					loss.Backward()
					w.Backward()
					for _, tn := range ag.params[1:] {
						if tn.Grad() != nil {
							t.Fatalf("%s keeps a gradient after Backward", tn.Name())
						}
					}
				}
				got := w.Param().Grad().Data()
				for j := range want {
					if d := math.Abs(float64(got[j]/2 - want[j])); d > 1e-4*(1+math.Abs(float64(want[j]))) {
						t.Fatalf("theta grad[%d]: wrapped %g (halved) host %g", j, got[j]/2, want[j])
					}
				}
			})
		}
	}
}

// TestWrappedAdapter: train through autograd, save, load onto fresh
// tensors: bit-identical weights.
func TestWrappedAdapter(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	m := newMLP(r, 6, 5, 3, 7)
	ps := m.params(r)
	ag := newAgMLP(m, ps)
	w, err := Wrap(Config{Method: SAID, Kind: Fastfood, D: 30, Seed: 3}, ag.params)
	if err != nil {
		t.Fatal(err)
	}
	opt := newAdam(30, 0.05)
	theta := w.Param().Data()
	first := 0.0
	for step := range 30 {
		w.Apply()
		loss := ag.loss()
		if step == 0 {
			first = float64(loss.Item())
		}
		loss.Backward()
		w.Backward()
		opt.step(theta, w.Param().Grad().Data())
		w.Param().ZeroGrad()
		w.Param().SetData(theta)
	}
	w.Apply()
	last := float64(ag.loss().Item())
	if !(last < first) {
		t.Fatalf("loss %g -> %g", first, last)
	}
	dir := t.TempDir()
	if err := w.SaveAdapter(dir, ""); err != nil {
		t.Fatal(err)
	}
	fresh := newAgMLP(m, ps)
	if _, err := LoadAdapterInto(dir, fresh.params, ""); err != nil {
		t.Fatal(err)
	}
	for i, tn := range ag.params {
		a, b := tn.Data(), fresh.params[i].Data()
		for k := range a {
			if math.Float32bits(a[k]) != math.Float32bits(b[k]) {
				t.Fatalf("%s[%d]: %g trained, %g loaded", tn.Name(), k, a[k], b[k])
			}
		}
	}
}
