package subspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lowRankTask is linear regression y = W* x + b* whose inputs span only a
// k-dimensional subspace (x = A s, s in R^k). The loss depends on (W, b)
// through W A and b alone, c*(k+1) numbers, so its minimisers form an
// affine subspace of codimension c*(k+1): a random affine subspace of
// dimension d through theta_0 meets it (zero loss) when d >= c*(k+1), and
// almost surely does not when d is smaller. The intrinsic dimension is
// known exactly: c*(k+1).
type lowRankTask struct {
	in, c, k int
	x, y     [][]float64
	vary     float64
}

func newLowRankTask(r *rand.Rand, in, c, k, samples int) *lowRankTask {
	t := &lowRankTask{in: in, c: c, k: k}
	a := make([]float64, in*k)
	for i := range a {
		a[i] = r.NormFloat64() / math.Sqrt(float64(k))
	}
	ws := make([]float64, c*in+c)
	for i := range ws {
		ws[i] = r.NormFloat64()
	}
	var mean, sq float64
	for range samples {
		s := make([]float64, k)
		for i := range s {
			s[i] = r.NormFloat64()
		}
		x := make([]float64, in)
		for i := range x {
			for j := range k {
				x[i] += a[i*k+j] * s[j]
			}
		}
		y := make([]float64, c)
		for o := range c {
			y[o] = ws[c*in+o]
			for i := range in {
				y[o] += ws[o*in+i] * x[i]
			}
			mean += y[o]
			sq += y[o] * y[o]
		}
		t.x, t.y = append(t.x, x), append(t.y, y)
	}
	n := float64(samples * c)
	t.vary = sq/n - (mean/n)*(mean/n)
	return t
}

func (t *lowRankTask) params(r *rand.Rand) []Param {
	w := Param{Name: "w", Shape: []int{t.c, t.in}, Data: make([]float32, t.c*t.in), Grad: make([]float32, t.c*t.in)}
	b := Param{Name: "b", Shape: []int{t.c}, Data: make([]float32, t.c), Grad: make([]float32, t.c)}
	for i := range w.Data {
		w.Data[i] = float32(0.3 * r.NormFloat64())
	}
	return []Param{w, b}
}

// lossGrad is the mean squared error; it sets the gradients of ps.
func (t *lowRankTask) lossGrad(ps []Param) float64 {
	w, b := ps[0], ps[1]
	clear(w.Grad)
	clear(b.Grad)
	var loss float64
	n := float64(len(t.x) * t.c)
	for s, x := range t.x {
		for o := range t.c {
			yh := float64(b.Data[o])
			for i := range t.in {
				yh += float64(w.Data[o*t.in+i]) * x[i]
			}
			e := yh - t.y[s][o]
			loss += e * e / n
			g := float32(2 * e / n)
			b.Grad[o] += g
			for i := range t.in {
				w.Grad[o*t.in+i] += g * float32(x[i])
			}
		}
	}
	return loss
}

// adam is plain Adam on a flat vector.
type adam struct {
	lr, b1, b2, eps float64
	m, v            []float64
	t               int
}

func newAdam(n int, lr float64) *adam {
	return &adam{lr: lr, b1: 0.9, b2: 0.999, eps: 1e-8, m: make([]float64, n), v: make([]float64, n)}
}

func (a *adam) step(x, g []float32) {
	a.t++
	c1 := 1 - math.Pow(a.b1, float64(a.t))
	c2 := 1 - math.Pow(a.b2, float64(a.t))
	for i := range x {
		gi := float64(g[i])
		a.m[i] = a.b1*a.m[i] + (1-a.b1)*gi
		a.v[i] = a.b2*a.v[i] + (1-a.b2)*gi*gi
		x[i] -= float32(a.lr * (a.m[i] / c1) / (math.Sqrt(a.v[i]/c2) + a.eps))
	}
}

const trainSteps = 1500

// trainSubspace trains and returns the final score 1 - MSE/Var(y).
func (t *lowRankTask) trainSubspace(tb testing.TB, seed uint64, cfg Config) float64 {
	ps := t.params(rand.New(rand.NewPCG(seed, 0)))
	s, err := New(cfg, ps)
	if err != nil {
		tb.Fatal(err)
	}
	opt := newAdam(cfg.D, 0.02)
	g := make([]float32, cfg.D)
	var loss float64
	for range trainSteps {
		s.Apply()
		loss = t.lossGrad(ps)
		s.Grad(g)
		opt.step(s.Theta(), g)
	}
	s.Apply()
	loss = t.lossGrad(ps)
	return 1 - loss/t.vary
}

func (t *lowRankTask) trainFull(seed uint64) float64 {
	ps := t.params(rand.New(rand.NewPCG(seed, 0)))
	opts := []*adam{newAdam(len(ps[0].Data), 0.02), newAdam(len(ps[1].Data), 0.02)}
	for range trainSteps {
		t.lossGrad(ps)
		for i, p := range ps {
			opts[i].step(p.Data, p.Grad)
		}
	}
	return 1 - t.lossGrad(ps)/t.vary
}

// TestTrainKnownIntrinsicDimension: with intrinsic dimension 15 (c=3, k=4)
// and D = 63, full fine-tuning, d = D (dense) and d = 24 in every subspace
// reach R^2 >= 0.999; d = 8 (SAID: 5 + 3 lambdas) cannot.
func TestTrainKnownIntrinsicDimension(t *testing.T) {
	task := newLowRankTask(rand.New(rand.NewPCG(42, 42)), 20, 3, 4, 200)
	const target = 0.999
	full := task.trainFull(1)
	if full < target {
		t.Fatalf("full fine-tuning reached R^2 %.5f, want >= %g", full, target)
	}
	t.Logf("full fine-tuning: R^2 %.6f", full)
	if got := task.trainSubspace(t, 1, Config{Kind: Dense, D: 63, Seed: 5}); got < target {
		t.Fatalf("dense d=D reached R^2 %.5f, want >= %g (full: %.5f)", got, target, full)
	}
	for _, kind := range allKinds {
		for _, method := range []Method{DID, SAID} {
			t.Run(fmt.Sprintf("%v/%v", method, kind), func(t *testing.T) {
				d := 24
				if method == SAID {
					d += 2 // lambdas of w and b
				}
				got := task.trainSubspace(t, 1, Config{Method: method, Kind: kind, D: d, Seed: 5})
				t.Logf("d=%d: R^2 %.6f", d, got)
				if got < target {
					t.Fatalf("d=%d reached R^2 %.5f, want >= %g", d, got, target)
				}
				low := task.trainSubspace(t, 1, Config{Method: method, Kind: kind, D: 8, Seed: 5})
				t.Logf("d=8: R^2 %.6f", low)
				// A random 8-dimensional subspace can get close by luck:
				// over seeds 1-8, fastfood, fastfood-block and
				// fastfood-split reached R^2 0.25-0.96 at d=8; the
				// claim is only that it stays clearly below the target.
				if low > 0.98 {
					t.Fatalf("d=8 (below the intrinsic dimension 15) reached R^2 %.5f", low)
				}
			})
		}
	}
}
