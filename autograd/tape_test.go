package autograd_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

func TestBackwardAccumulatesAndShares(t *testing.T) {
	x := autograd.MustFromSlice(cpu, []float32{1, 2, 3}, 3).SetRequiresGrad(true)
	// y = sum(x*x + x): dy/dx = 2x + 1; x is used three times.
	y := autograd.SumAll(autograd.Add(autograd.Mul(x, x), x))
	y.Backward()
	if g := x.Grad().Data(); !close32(g, []float32{3, 5, 7}, 0) {
		t.Fatalf("grad %v", g)
	}
	// A second backward adds.
	autograd.SumAll(autograd.Scale(x, 2)).Backward()
	if g := x.Grad().Data(); !close32(g, []float32{5, 7, 9}, 0) {
		t.Fatalf("accumulated grad %v", g)
	}
	x.ZeroGrad()
	if x.Grad() != nil {
		t.Fatal("ZeroGrad left a gradient")
	}
}

func TestBackwardFreesGraph(t *testing.T) {
	x := autograd.MustFromSlice(cpu, []float32{1, 2}, 2).SetRequiresGrad(true)
	h := autograd.Exp(x)
	y := autograd.SumAll(h)
	if !h.RequiresGrad() || !y.RequiresGrad() {
		t.Fatal("results do not require grad")
	}
	y.Backward()
	if h.RequiresGrad() || h.Grad() != nil {
		t.Fatal("intermediate kept its graph or gradient after Backward")
	}
	want := []float32{float32(math.E), float32(math.Exp(2))}
	if !close32(x.Grad().Data(), want, 1e-5) {
		t.Fatalf("grad %v, want %v", x.Grad().Data(), want)
	}
}

func TestNoGrad(t *testing.T) {
	w := autograd.NewParameter(cpu, "w", 2)
	var y *autograd.Tensor
	autograd.NoGrad(func() { y = autograd.Scale(w, 3) })
	if y.RequiresGrad() {
		t.Fatal("op recorded inside NoGrad")
	}
	if !autograd.GradEnabled() {
		t.Fatal("NoGrad did not restore recording")
	}
	if autograd.Scale(w, 3).RequiresGrad() != true {
		t.Fatal("op on a parameter not recorded")
	}
}

func TestBackwardWithSeed(t *testing.T) {
	x := autograd.MustFromSlice(cpu, []float32{1, 2, 3}, 3).SetRequiresGrad(true)
	y := autograd.Scale(x, 2)
	y.BackwardWith(autograd.MustFromSlice(cpu, []float32{1, 10, 100}, 3))
	if g := x.Grad().Data(); !close32(g, []float32{2, 20, 200}, 0) {
		t.Fatalf("grad %v", g)
	}
}

// square is a Function defined outside the package's ops.
type square struct{}

func (square) Forward(in []*autograd.Tensor) *autograd.Tensor { return autograd.Mul(in[0], in[0]) }
func (square) Backward(g *autograd.Tensor, in []*autograd.Tensor, _ *autograd.Tensor, needs []bool) []*autograd.Tensor {
	return []*autograd.Tensor{autograd.Mul(g, autograd.Scale(in[0], 2))}
}

func TestApply(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x := randT(rng, 4, 3).SetRequiresGrad(true)
	err := autograd.CheckGrad(func(in []*autograd.Tensor) *autograd.Tensor {
		return autograd.Apply(square{}, in[0])
	}, func(in [][]float64) []float64 {
		out := make([]float64, len(in[0]))
		for i, v := range in[0] {
			out[i] = v * v
		}
		return out
	}, []*autograd.Tensor{x}, autograd.GradCheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckGradCatchesWrongGradient makes sure the checker can fail: a
// Function whose backward is off by a factor must be reported.
type wrongSquare struct{ square }

func (wrongSquare) Backward(g *autograd.Tensor, in []*autograd.Tensor, _ *autograd.Tensor, needs []bool) []*autograd.Tensor {
	return []*autograd.Tensor{autograd.Mul(g, autograd.Scale(in[0], 2.01))}
}

func TestCheckGradCatchesWrongGradient(t *testing.T) {
	x := randT(rand.New(rand.NewPCG(6, 6)), 5).SetRequiresGrad(true)
	ref := func(in [][]float64) []float64 {
		out := make([]float64, len(in[0]))
		for i, v := range in[0] {
			out[i] = v * v
		}
		return out
	}
	f := func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Apply(wrongSquare{}, in[0]) }
	if err := autograd.CheckGrad(f, ref, []*autograd.Tensor{x}, autograd.GradCheckOptions{}); err == nil {
		t.Fatal("a 0.5% gradient error passed the float64 check")
	}
	if err := autograd.CheckGrad(f, nil, []*autograd.Tensor{x}, autograd.GradCheckOptions{SelfTol: 1e-3}); err == nil {
		t.Fatal("a 0.5% gradient error passed the float32 self check at 1e-3")
	}
	// A forward that disagrees with the reference is caught too.
	g := func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Scale(autograd.Mul(in[0], in[0]), 1.001) }
	if err := autograd.CheckGrad(g, ref, []*autograd.Tensor{x}, autograd.GradCheckOptions{SelfTol: -1}); err == nil {
		t.Fatal("a 0.1% value error passed")
	}
}

func TestViewsShareStorage(t *testing.T) {
	x := autograd.MustFromSlice(cpu, []float32{1, 2, 3, 4, 5, 6}, 2, 3)
	r := autograd.Reshape(x, 3, 2)
	s := autograd.Slice(x, 0, 1, 2)
	hx, _ := x.Host()
	hr, _ := r.Host()
	hs, _ := s.Host()
	if &hx[0] != &hr[0] || &hx[3] != &hs[0] || !r.IsView() || !s.IsView() {
		t.Fatal("reshape/leading slice are not views")
	}
	d := autograd.Dropout(x, 0, 1)
	if hd, _ := d.Host(); &hd[0] != &hx[0] {
		t.Fatal("dropout with p=0 copied")
	}
	if autograd.Slice(x, 1, 0, 2).IsView() {
		t.Fatal("inner slice must be a copy")
	}
}

func TestBackwardOfLeafAndErrors(t *testing.T) {
	w := autograd.NewParameter(cpu, "w")
	w.Backward()
	if g := w.Grad().Item(); g != 1 {
		t.Fatalf("d w/d w = %v", g)
	}
	c := autograd.Zeros(cpu, 1)
	defer func() {
		if recover() == nil {
			t.Fatal("Backward of a constant did not panic")
		}
	}()
	c.Backward()
}

func TestSecondBackwardThroughFreedGraph(t *testing.T) {
	w := autograd.NewParameter(cpu, "w", 2)
	x := autograd.NewParameter(cpu, "x", 2)
	h := autograd.Exp(w)
	autograd.SumAll(h).Backward()
	// h's graph is gone: a loss that uses h again with another parameter
	// must not silently drop w's share.
	l2 := autograd.SumAll(autograd.Mul(h, x))
	err := func() (msg any) {
		defer func() { msg = recover() }()
		l2.Backward()
		return nil
	}()
	if err == nil {
		t.Fatal("Backward through a freed graph did not panic")
	}
	t.Log(err)
	// Detach states the intent.
	l3 := autograd.SumAll(autograd.Mul(autograd.Detach(h), x))
	l3.Backward()
	if x.Grad() == nil {
		t.Fatal("no gradient for x")
	}
}
