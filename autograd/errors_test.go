package autograd_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
)

func TestOpErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	a, b := randT(rng, 3, 4), randT(rng, 5, 4)
	mustOpError(t, "Add mismatch", func() { autograd.Add(a, randT(rng, 3, 5)) })
	mustOpError(t, "MatMul inner", func() { autograd.MatMul(a, b, false, false) })
	mustOpError(t, "MatMul batch", func() { autograd.MatMul(randT(rng, 2, 3, 4), randT(rng, 3, 4, 2), false, false) })
	mustOpError(t, "Linear features", func() { autograd.Linear(a, randT(rng, 5, 3), nil) })
	mustOpError(t, "Linear bias", func() { autograd.Linear(a, b, randT(rng, 4)) })
	mustOpError(t, "Reshape size", func() { autograd.Reshape(a, 5, -1) })
	mustOpError(t, "Permute", func() { autograd.Permute(a, 0, 0) })
	mustOpError(t, "Concat", func() { autograd.Concat(0, a, randT(rng, 2, 5)) })
	mustOpError(t, "Slice", func() { autograd.Slice(a, 1, 2, 5) })
	mustOpError(t, "Embedding id", func() { autograd.Embedding(b, []int32{0, 5}) })
	mustOpError(t, "CrossEntropy label", func() { autograd.CrossEntropy(a, []int32{0, 4, 1}) })
	mustOpError(t, "CrossEntropy count", func() { autograd.CrossEntropy(a, []int32{0, 1}) })
	mustOpError(t, "MaskedSoftmax mask", func() { autograd.MaskedSoftmax(randT(rng, 2, 1, 3, 3), randT(rng, 2, 4), 1) })
	mustOpError(t, "LayerNorm gamma", func() { autograd.LayerNorm(a, randT(rng, 3), nil, 1e-5) })
	mustOpError(t, "Dropout p", func() { autograd.Dropout(a, 1, 1) })

	// The message names the shapes.
	err := autograd.Catch(func() { autograd.MatMul(a, b, false, false) })
	if !strings.Contains(err.Error(), "[3 4]") || !strings.Contains(err.Error(), "[5 4]") {
		t.Errorf("message does not name the shapes: %v", err)
	}
	// Other panics pass through Catch.
	defer func() {
		if recover() == nil {
			t.Error("Catch swallowed a foreign panic")
		}
	}()
	autograd.Catch(func() { panic("other") })
}

func TestFromSliceErrors(t *testing.T) {
	if _, err := autograd.FromSlice(cpu, make([]float32, 5), 2, 3); err == nil {
		t.Error("FromSlice accepted 5 values for [2 3]")
	}
	p := autograd.NewParameter(cpu, "w", 2, 2)
	if err := p.SetData([]float32{1, 2, 3}); err == nil || !strings.Contains(err.Error(), `"w"`) {
		t.Errorf("SetData error = %v, want one naming the parameter", err)
	}
}

func TestCrossEntropyAllIgnored(t *testing.T) {
	x := randT(rand.New(rand.NewPCG(2, 2)), 3, 4).SetRequiresGrad(true)
	l := autograd.CrossEntropy(x, []int32{-100, -100, -100})
	if v := l.Item(); v != 0 {
		t.Fatalf("loss = %v, want 0", v)
	}
	l.Backward()
	for _, g := range x.Grad().Data() {
		if g != 0 {
			t.Fatalf("gradient %v, want 0", g)
		}
	}
}
