package optim

import "math"

// Schedule gives the learning rate of an update from the number of updates
// made before it (0 for the first). Schedules are pure functions of step, so
// a resumed run (Load restores the step count) continues on the same curve.
type Schedule interface {
	LR(step int) float32
}

// Constant is a fixed learning rate.
type Constant float32

// LR returns c.
func (c Constant) LR(step int) float32 { return float32(c) }

// Linear is Hugging Face's get_linear_schedule_with_warmup: the learning rate
// rises linearly from 0 to Peak over Warmup steps, then falls linearly to 0
// at step Total and stays there:
//
//	if step < Warmup { return Peak * step / max(1, Warmup) }
//	return Peak * max(0, (Total-step) / max(1, Total-Warmup))
//
// (the factor in float64, as Python computes it, then rounded to float32).
type Linear struct {
	Peak          float32
	Warmup, Total int
}

// LR returns the learning rate of update number step.
func (l Linear) LR(step int) float32 {
	if step < l.Warmup {
		return float32(float64(l.Peak) * float64(step) / float64(max(1, l.Warmup)))
	}
	f := math.Max(0, float64(l.Total-step)/float64(max(1, l.Total-l.Warmup)))
	return float32(float64(l.Peak) * f)
}

// Cosine is Hugging Face's get_cosine_schedule_with_warmup: linear warm-up
// to Peak over Warmup steps, then
//
//	progress := (step-Warmup) / max(1, Total-Warmup)
//	Peak * max(0, 0.5*(1+cos(pi*Cycles*2*progress)))
//
// Cycles 0 means HF's default 0.5 (one half cosine from Peak down to 0 at
// Total). As in HF, progress is not clamped: past Total the curve goes on
// (for 0.5 cycles it rises again), so set Total to the real number of steps.
type Cosine struct {
	Peak          float32
	Warmup, Total int
	Cycles        float64
}

// LR returns the learning rate of update number step.
func (c Cosine) LR(step int) float32 {
	if step < c.Warmup {
		return float32(float64(c.Peak) * float64(step) / float64(max(1, c.Warmup)))
	}
	cycles := c.Cycles
	if cycles == 0 {
		cycles = 0.5
	}
	progress := float64(step-c.Warmup) / float64(max(1, c.Total-c.Warmup))
	f := math.Max(0, 0.5*(1+math.Cos(math.Pi*cycles*2*progress)))
	return float32(float64(c.Peak) * f)
}
