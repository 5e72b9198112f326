package optim

import (
	"math"
	"testing"
)

// The expected values are HF's lr_lambda formulas worked by hand at the
// key steps (start, inside and at the end of the warm-up, the middle of the
// decay, the end, past the end).
func TestLinearSchedule(t *testing.T) {
	s := Linear{Peak: 1e-3, Warmup: 10, Total: 110}
	for _, c := range []struct {
		step int
		want float64
	}{
		{0, 0}, // HF's first update uses lr 0 when there is a warm-up
		{1, 1e-4},
		{5, 5e-4},
		{9, 9e-4},
		{10, 1e-3}, // peak
		{11, 1e-3 * 99 / 100},
		{60, 5e-4},
		{109, 1e-5},
		{110, 0},
		{500, 0},
	} {
		if got := s.LR(c.step); got != float32(float64(float32(1e-3))*c.want/1e-3) {
			t.Errorf("Linear.LR(%d) = %v, want %v", c.step, got, c.want)
		}
	}
	// No warm-up: starts at the peak.
	if got := (Linear{Peak: 2, Warmup: 0, Total: 4}).LR(0); got != 2 {
		t.Errorf("no warm-up: LR(0) = %v, want 2", got)
	}
	if got := (Linear{Peak: 2, Warmup: 0, Total: 4}).LR(3); got != 0.5 {
		t.Errorf("no warm-up: LR(3) = %v, want 0.5", got)
	}
	// Total <= Warmup: HF's max(1, ...) guards, no division by zero.
	if got := (Linear{Peak: 1, Warmup: 5, Total: 5}).LR(5); got != 0 {
		t.Errorf("Total == Warmup: LR(5) = %v, want 0", got)
	}
}

func TestCosineSchedule(t *testing.T) {
	s := Cosine{Peak: 1, Warmup: 4, Total: 104}
	for _, c := range []struct {
		step int
		want float64
	}{
		{0, 0},
		{2, 0.5},
		{4, 1},
		{29, 0.5 * (1 + math.Cos(math.Pi*0.25))}, // a quarter of the way
		{54, 0.5},                                // half way
		{79, 0.5 * (1 + math.Cos(math.Pi*0.75))},
		{104, 0},
		{154, 0.5 * (1 + math.Cos(math.Pi*1.5))}, // past Total HF's curve rises again
	} {
		got := s.LR(c.step)
		if math.Abs(float64(got)-c.want) > 1e-7 {
			t.Errorf("Cosine.LR(%d) = %v, want %v", c.step, got, c.want)
		}
	}
	// One full cycle: 0 half way, back at the peak at Total.
	if got := (Cosine{Peak: 1, Total: 100, Cycles: 1}).LR(50); math.Abs(float64(got)) > 1e-7 {
		t.Errorf("Cycles 1: LR(50) = %v, want 0", got)
	}
	if got := (Cosine{Peak: 1, Total: 100, Cycles: 1}).LR(100); math.Abs(float64(got)-1) > 1e-7 {
		t.Errorf("Cycles 1: LR(100) = %v, want 1", got)
	}
}

func TestConstantAndOptimizerLR(t *testing.T) {
	if Constant(0.25).LR(12345) != 0.25 {
		t.Error("Constant")
	}
	p := newParam(t, "w", []float32{1}, 1)
	opt, err := NewSGD(OneGroup(ps(p), 0), SGDConfig{Schedule: Linear{Peak: 1, Warmup: 2, Total: 4}})
	if err != nil {
		t.Fatal(err)
	}
	// The k-th Step uses LR(k-1): 0, 0.5, 1, 0.5, 0.
	want := []float32{0, 0.5, 1, 0.5, 0}
	x := float32(1)
	for k, lr := range want {
		if got := opt.LR(); got != lr {
			t.Errorf("before step %d: LR %v, want %v", k, got, lr)
		}
		setGrad(t, p, []float32{1})
		opt.Step()
		x -= lr
		if got := p.Data()[0]; got != x {
			t.Errorf("after step %d: p = %v, want %v", k, got, x)
		}
	}
	if opt.Steps() != len(want) {
		t.Errorf("Steps() = %d", opt.Steps())
	}
}
