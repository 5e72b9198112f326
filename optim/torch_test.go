package optim

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// torchFixture is testdata/torch_fixture.json, written by
// testdata/gen_fixture.py with PyTorch.
type torchFixture struct {
	Magic     string `json:"magic"`
	Version   int    `json:"version"`
	Generator string `json:"generator"`
	Params    []struct {
		Name  string    `json:"name"`
		Shape []int     `json:"shape"`
		Init  []float64 `json:"init"`
	} `json:"params"`
	Grads [][][]float64 `json:"grads"` // [step][param] (null: no gradient)
	Cases []torchCase   `json:"cases"`
}

type torchCase struct {
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	LR        float64 `json:"lr"`
	Beta1     float64 `json:"beta1"`
	Beta2     float64 `json:"beta2"`
	Eps       float64 `json:"eps"`
	Momentum  float64 `json:"momentum"`
	Dampening float64 `json:"dampening"`
	Nesterov  bool    `json:"nesterov"`
	Clip      float64 `json:"clip"`
	Groups    []struct {
		Params []int   `json:"params"`
		WD     float64 `json:"wd"`
	} `json:"groups"`
	Steps []struct {
		Norm   *float64                     `json:"norm"`
		Params [][]float64                  `json:"params"`
		State  []map[string]json.RawMessage `json:"state"`
	} `json:"steps"`
}

func readTorchFixture(t *testing.T) *torchFixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/torch_fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	var f torchFixture
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if f.Magic != "idim-optim-fixture" || f.Version != 1 {
		t.Fatalf("fixture magic %q version %d", f.Magic, f.Version)
	}
	return &f
}

// newTorchCase builds the case's parameters and optimizer.
func newTorchCase(t *testing.T, f *torchFixture, c *torchCase) ([]*autograd.Tensor, Optimizer) {
	t.Helper()
	ps := make([]*autograd.Tensor, len(f.Params))
	for i, p := range f.Params {
		ps[i] = newParam(t, p.Name, to32(p.Init), p.Shape...)
	}
	var groups []Group
	for _, g := range c.Groups {
		var gp []*autograd.Tensor
		for _, i := range g.Params {
			gp = append(gp, ps[i])
		}
		groups = append(groups, Group{Params: gp, WeightDecay: float32(g.WD)})
	}
	var opt Optimizer
	var err error
	switch c.Kind {
	case "sgd":
		opt, err = NewSGD(groups, SGDConfig{LR: float32(c.LR), Momentum: float32(c.Momentum), Dampening: float32(c.Dampening), Nesterov: c.Nesterov})
	case "adam", "adamw":
		cfg := AdamConfig{LR: float32(c.LR), Beta1: float32(c.Beta1), Beta2: float32(c.Beta2), Eps: float32(c.Eps)}
		if c.Kind == "adam" {
			opt, err = NewAdam(groups, cfg)
		} else {
			opt, err = NewAdamW(groups, cfg)
		}
	default:
		t.Fatalf("case %s: kind %q", c.Name, c.Kind)
	}
	if err != nil {
		t.Fatal(err)
	}
	return ps, opt
}

// stateOf returns the named buffer of the state of parameter t (nil if
// none), and its own step count.
func stateOf32(opt Optimizer, t *autograd.Tensor, buf string) ([]float32, int) {
	var c *core
	switch o := opt.(type) {
	case *SGD:
		c = &o.core
	case *Adam:
		c = &o.core
	}
	for i := range c.params {
		p := &c.params[i]
		if p.t != t {
			continue
		}
		for j, s := range c.bufNames {
			if s == buf && p.bufs[j] != nil {
				return p.bufs[j].Data(), p.step
			}
		}
		return nil, p.step
	}
	panic("no such parameter")
}

// TestTorchFixture runs each fixture case and compares parameters and state
// with PyTorch's after every step.
//
// Parameters may differ by 2 float32 ulps per step made (PyTorch's CPU
// kernels fuse a*alpha+b into an FMA, Go's do not, so single roundings
// differ). Buffers are recurrences buf = decay*buf + c*x, where rounding
// differences meet cancellation; each element gets the forward error bound
//
//	B_t = decay*B_(t-1) + k*u*(|decay*buf_(t-1)| + |c*x|) + |c_go - c_torch|*|x|
//
// with u = 2^-24 and x's magnitude from its terms (|scale*grad| + |wd*p|).
// The last term is the known scalar difference: the kernel forms 1-beta in
// float32 from float32(beta), PyTorch rounds the double 1-beta to float32
// (for beta2 = 0.999 they differ by 1.3e-5 relative; see README.md).
func TestTorchFixture(t *testing.T) {
	const u = 1.0 / (1 << 24)
	f := readTorchFixture(t)
	t.Logf("fixture: %s", f.Generator)
	for ci := range f.Cases {
		c := &f.Cases[ci]
		t.Run(c.Name, func(t *testing.T) {
			ps, opt := newTorchCase(t, f, c)
			wd := make([]float64, len(ps))
			for _, g := range c.Groups {
				for _, i := range g.Params {
					wd[i] = g.WD
				}
			}
			type buf struct {
				name             string
				decay, c, cTorch float64 // recurrence coefficients
				square           bool    // x is g*g
				k                float64
			}
			var bufs []buf
			switch c.Kind {
			case "sgd":
				if c.Momentum != 0 {
					m, d := float32(c.Momentum), float32(c.Dampening)
					bufs = []buf{{"momentum_buffer", float64(m), float64(1 - d), float64(float32(1 - c.Dampening)), false, 4}}
				}
			default:
				b1, b2 := float32(c.Beta1), float32(c.Beta2)
				bufs = []buf{
					{"exp_avg", float64(b1), float64(1 - b1), float64(float32(1 - c.Beta1)), false, 4},
					{"exp_avg_sq", float64(b2), float64(1 - b2), float64(float32(1 - c.Beta2)), true, 6},
				}
			}
			n := len(ps)
			prevP := make([][]float64, n)   // torch's parameters before the step
			prevB := make([][][]float64, n) // torch's buffers before the step
			bound := make([][][]float64, n) // error bounds of our buffers
			for i := range ps {
				prevP[i] = to64(ps[i].Data())
				prevB[i] = make([][]float64, len(bufs))
				bound[i] = make([][]float64, len(bufs))
			}
			var worstP, worstB float64 // largest ulp diff, largest fraction of the bound
			for s, st := range c.Steps {
				for i, p := range ps {
					setGrad(t, p, to32(f.Grads[s][i]))
				}
				coef := 1.0
				if c.Clip > 0 {
					norm := opt.ClipGradNorm(float32(c.Clip))
					if d := relDiff(norm, *st.Norm, 0); d > 1e-6 {
						t.Errorf("step %d: norm %v, torch %v", s, norm, *st.Norm)
					}
					coef = math.Min(1, c.Clip/(*st.Norm+1e-6))
				}
				opt.Step()
				for i, p := range ps {
					got := p.Data()
					d, at := maxULP(got, to32(st.Params[i]))
					worstP = math.Max(worstP, d)
					if d > float64(2*(s+1)) {
						t.Errorf("step %d %s[%d]: %v, torch %v (%.3g ulp, allowed %d)", s, p.Name(), at, got[at], float32(st.Params[i][at]), d, 2*(s+1))
					}
					for k, b := range bufs {
						raw, has := st.State[i][b.name]
						mine, _ := stateOf32(opt, p, b.name)
						if !has || string(raw) == "null" {
							if mine != nil {
								t.Errorf("step %d %s: has %s, torch has none", s, p.Name(), b.name)
							}
							continue
						}
						var want []float64
						if err := json.Unmarshal(raw, &want); err != nil {
							t.Fatal(err)
						}
						if mine == nil {
							t.Errorf("step %d %s: no %s, torch has one", s, p.Name(), b.name)
							continue
						}
						g := f.Grads[s][i]
						first := prevB[i][k] == nil
						if first {
							prevB[i][k] = make([]float64, len(want))
							bound[i][k] = make([]float64, len(want))
						}
						for e := range want {
							if g == nil { // no update: the bound carries over
								if d := math.Abs(float64(mine[e]) - want[e]); d > bound[i][k][e] {
									t.Errorf("step %d %s.%s[%d] changed without a gradient: %v, torch %v", s, p.Name(), b.name, e, mine[e], want[e])
								}
								continue
							}
							x := math.Abs(coef*g[e]) + math.Abs(wd[i]*prevP[i][e])
							if c.Kind == "adamw" {
								x = math.Abs(coef * g[e])
							}
							if b.square {
								x *= x
							}
							var B float64
							if c.Kind == "sgd" && first {
								B = b.k * u * x // buf = d
							} else {
								B = b.decay*bound[i][k][e] + b.k*u*(b.decay*math.Abs(prevB[i][k][e])+b.c*x) + math.Abs(b.c-b.cTorch)*x
							}
							bound[i][k][e] = B
							diff := math.Abs(float64(mine[e]) - want[e])
							if B > 0 {
								worstB = math.Max(worstB, diff/B)
							}
							if diff > B || math.IsNaN(float64(mine[e])) {
								t.Errorf("step %d %s.%s[%d]: %v, torch %v (difference %.3g, bound %.3g)", s, p.Name(), b.name, e, mine[e], want[e], diff, B)
							}
						}
						prevB[i][k] = want
					}
					if raw, ok := st.State[i]["step"]; ok {
						var n int
						json.Unmarshal(raw, &n)
						if _, got := stateOf32(opt, p, ""); got != n {
							t.Errorf("step %d %s: own step count %d, torch %d", s, p.Name(), got, n)
						}
					}
					prevP[i] = st.Params[i]
				}
			}
			t.Logf("largest differences from torch: parameters %.3g ulp, buffers %.3g of their bound", worstP, worstB)
		})
	}
}
