package autograd_test

import (
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

func TestScopeReleasesAndKeeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	w := randT(rng, 4, 4).SetRequiresGrad(true)
	sc := autograd.NewScope()
	x := randT(rng, 2, 4)
	y := autograd.Linear(x, w, nil)
	z := autograd.Tanh(y)
	if sc.Len() != 3 {
		t.Fatalf("scope holds %d tensors, want 3 (x, y, z)", sc.Len())
	}
	sc.Keep(z)
	sc.End()
	if got := z.Len(); got != 8 {
		t.Fatalf("kept tensor has %d elements", got)
	}
	if v := z.Data(); len(v) != 8 {
		t.Fatal("kept tensor unreadable")
	}
	// z kept its graph: it can still be differentiated (w is a parameter).
	autograd.SumAll(z).Backward()
	if w.Grad() == nil {
		t.Fatal("no gradient through a kept tensor")
	}
	z.Release()
}

func TestScopeNesting(t *testing.T) {
	outer := autograd.NewScope()
	a := autograd.Zeros(cpu, 3)
	inner := autograd.NewScope()
	b := autograd.Zeros(cpu, 3)
	inner.Keep(b) // moves to outer
	inner.End()
	if outer.Len() != 2 {
		t.Fatalf("outer holds %d, want 2", outer.Len())
	}
	_ = a
	outer.End()
	defer func() {
		if recover() == nil {
			t.Error("ending a scope that is not current did not panic")
		}
	}()
	s1 := autograd.NewScope()
	s2 := autograd.NewScope()
	defer s1.End()
	defer s2.End()
	s1.End()
}

// TestSteadyStateAllocations runs a small training step inside a reused
// Scope: once the CPU pool is warm, the step must not allocate new buffers,
// and (almost) no Go heap objects.
func TestSteadyStateAllocations(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	w := randT(rng, 16, 8).SetRequiresGrad(true)
	b := randT(rng, 16).SetRequiresGrad(true)
	g := randT(rng, 16).SetRequiresGrad(true)
	x := randT(rng, 6, 8)
	mask := autograd.Full(cpu, 1, 2, 3)
	labels := []int32{1, 2, 3, -100, 5, 6}
	var sc autograd.Scope
	step := func() {
		sc.Begin()
		h := autograd.Linear(x, w, b)
		h = autograd.LayerNorm(autograd.GELU(h), g, nil, 1e-5)
		h = autograd.Dropout(h, 0.1, 7)
		s := autograd.Reshape(autograd.MatMul(h, h, false, true), 2, 1, 3, 6)
		s = autograd.Slice(s, 3, 0, 3)
		p := autograd.MaskedSoftmax(s, mask, 0.5)
		h = autograd.Add(h, autograd.Mean(autograd.Reshape(p, 6, 3), 1, true))
		loss := autograd.CrossEntropy(h, labels)
		loss.Backward()
		_ = loss.Item()
		sc.End()
		w.ZeroGrad()
		b.ZeroGrad()
		g.ZeroGrad()
	}
	for i := 0; i < 3; i++ {
		step()
	}
	before := cpu.Stats()
	allocs := testing.AllocsPerRun(20, step)
	after := cpu.Stats()
	if n := after.NewBuffers - before.NewBuffers; n != 0 {
		t.Errorf("steady state made %d new device buffers", n)
	}
	t.Logf("steady-state step: %.1f heap allocations", allocs)
	if allocs > 1 && !raceEnabled && autograd.RecycleTensors {
		t.Errorf("steady-state step allocates %.1f heap objects", allocs)
	}
}

func TestDebugCatchesUseAfterEnd(t *testing.T) {
	autograd.RecycleTensors = false
	defer func() { autograd.RecycleTensors = true }()
	sc := autograd.NewScope()
	x := autograd.Full(cpu, 2, 3)
	sc.End()
	_ = autograd.Full(cpu, 1, 3) // would have reused x's struct
	err := func() (r any) {
		defer func() { r = recover() }()
		autograd.Scale(x, 2)
		return nil
	}()
	if err == nil {
		t.Fatal("op on a tensor of an ended scope did not panic")
	}
	t.Log(err)
}
