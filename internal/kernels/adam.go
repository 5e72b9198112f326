package kernels

import "math"

// AdamParams are the scalars of one Adam or AdamW step.
type AdamParams struct {
	LR, Beta1, Beta2, Eps float32
	WeightDecay           float32
	// Decoupled selects AdamW (decay applied to the weights directly);
	// otherwise the decay is added to the gradient (Adam with L2).
	Decoupled bool
	// Step is the 1-based step number, for the bias corrections.
	Step int
	// GradScale multiplies the gradient first (gradient clipping); 0 means 1.
	GradScale float32
}

// Adam is one Adam/AdamW update, as in PyTorch:
//
//	bc1, bc2 := 1 - Beta1^Step, 1 - Beta2^Step
//	for i := range param {
//		g := GradScale * grad[i]
//		if !Decoupled { g += WeightDecay * param[i] }
//		m[i] = Beta1*m[i] + (1-Beta1)*g
//		v[i] = Beta2*v[i] + (1-Beta2)*g*g
//		if Decoupled { param[i] -= LR * WeightDecay * param[i] }
//		param[i] -= LR * (m[i]/bc1) / (sqrt(v[i]/bc2) + Eps)
//	}
func Adam(param, grad, m, v []float32, p AdamParams) {
	t := getTask(adamRange)
	t.dst, t.a, t.b, t.c = param, grad, m, v
	t.f0, t.f1, t.f2, t.f3, t.f4 = p.LR, p.Beta1, p.Beta2, p.Eps, p.WeightDecay
	t.flag = p.Decoupled
	t.f5 = p.GradScale
	if t.f5 == 0 {
		t.f5 = 1
	}
	t.k = p.Step
	run(t, len(param), 1, 4096)
}

func adamRange(t *task, lo, hi int) {
	b1, b2 := t.f1, t.f2
	bc1 := float32(1 - math.Pow(float64(b1), float64(t.k)))
	bc2 := float32(1 - math.Pow(float64(b2), float64(t.k)))
	c := adamConsts{
		gs: t.f5, wd: t.f4, b1: b1, c1: 1 - b1, b2: b2, c2: 1 - b2,
		lrwd: t.f0 * t.f4, step: t.f0 / bc1, rbc2: 1 / bc2, eps: t.f3,
	}
	adamSpan(t.dst[lo:hi], t.a[lo:hi], t.b[lo:hi], t.c[lo:hi], &c, t.flag)
}

// adamConsts are the per-step scalars of the Adam loop, in the layout the
// assembly reads (ten float32 values).
type adamConsts struct {
	gs, wd, b1, c1, b2, c2, lrwd, step, rbc2, eps float32
}
