package autograd_test

import (
	"math"
	"testing"

	"github.com/idim-go/idim/autograd"
)

func TestAdamUpdateAndNorm(t *testing.T) {
	w := autograd.NewParameter(cpu, "w", 3)
	w.SetData([]float32{1, -2, 3})
	sc := autograd.NewScope()
	m, v := autograd.NewState(cpu, "w.m", 3), autograd.NewState(cpu, "w.v", 3)
	sc.End() // state survives scopes
	// loss = sum(w*w): grad = 2w.
	autograd.SumAll(autograd.Square(w)).Backward()
	n := autograd.GradSquaredNorm([]*autograd.Tensor{w, autograd.NewParameter(cpu, "unused", 2)})
	if got := n.Item(); math.Abs(float64(got)-56) > 1e-5 {
		t.Fatalf("squared norm %v, want 56", got)
	}
	n.Release()
	autograd.ScaleGrads([]*autograd.Tensor{w}, 0.5)
	if g := w.Grad().Data(); !close32(g, []float32{1, -2, 3}, 0) {
		t.Fatalf("scaled grad %v", g)
	}
	p := autograd.AdamParams{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, Step: 1}
	if err := autograd.AdamUpdate(w, m, v, p); err != nil {
		t.Fatal(err)
	}
	// First Adam step moves each weight by lr*sign(grad).
	if got := w.Data(); !close32(got, []float32{0.9, -1.9, 2.9}, 1e-6) {
		t.Fatalf("after one step %v", got)
	}
	if err := autograd.AdamUpdate(w, autograd.Zeros(cpu, 2), v, p); err == nil {
		t.Fatal("mismatched moment accepted")
	}
}
