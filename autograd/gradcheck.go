package autograd

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// GradCheckOptions tune CheckGrad. Zero fields take the defaults shown.
type GradCheckOptions struct {
	// ValueTol bounds the relative error of the float32 forward against Ref:
	// ||out - ref|| <= ValueTol*||ref|| + 1e-6*sqrt(n). Default 1e-5.
	ValueTol float64
	// GradTol bounds the relative error, measured the same way per input, of
	// the analytic gradient against central differences of Ref in float64
	// (step 1e-6*max(1,|x|), error ~1e-9): what remains is the float32
	// rounding of the op itself. Default 1e-4.
	GradTol float64
	// SelfTol bounds the relative error of the analytic gradient against
	// central differences of the float32 op itself (step SelfStep*max(1,|x|)),
	// which checks that the backward matches the forward that really runs.
	// float32 differences are only good to about 1e-3, so the default is
	// 2e-2. A negative value skips this check (ops with kinks).
	SelfTol float64
	// SelfStep is the relative step of the float32 differences; default 1e-2
	// (a smaller step is swamped by float32 rounding).
	SelfStep float64
	// MaxPoints bounds the elements perturbed per input (chosen at random
	// when the input is larger). Default 48.
	MaxPoints int
	// Seed drives the random output weights and the choice of points.
	Seed uint64
}

// CheckGrad checks the op (or composition of ops) f at the given inputs.
//
// The scalar L = sum_i w_i f(x)_i, with fixed random weights w, is
// differentiated three ways: by Backward (seeded with w), by central
// differences of ref, a float64 reimplementation of f (when ref is not nil),
// and by central differences of f itself in float32. ref receives the
// inputs' values in float64 and returns f's values. The inputs that require
// a gradient are checked; the others (masks, constants) are only fed in. f
// must be deterministic. CheckGrad also compares f's values with ref.
//
// It runs inside its own Scope and leaves the inputs' values as they were,
// with their gradients dropped. The error names the input, the element and
// both values.
func CheckGrad(f func(in []*Tensor) *Tensor, ref func(in [][]float64) []float64, inputs []*Tensor, opt GradCheckOptions) error {
	if opt.ValueTol == 0 {
		opt.ValueTol = 1e-5
	}
	if opt.GradTol == 0 {
		opt.GradTol = 1e-4
	}
	if opt.SelfTol == 0 {
		opt.SelfTol = 2e-2
	}
	if opt.SelfStep == 0 {
		opt.SelfStep = 1e-2
	}
	if opt.MaxPoints == 0 {
		opt.MaxPoints = 48
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	prevGrad := SetGradEnabled(true)
	defer SetGradEnabled(prevGrad)

	vals := make([][]float32, len(inputs))
	vals64 := make([][]float64, len(inputs))
	for i, in := range inputs {
		in.ZeroGrad()
		vals[i] = in.Data()
		vals64[i] = make([]float64, len(vals[i]))
		for j, v := range vals[i] {
			vals64[i][j] = float64(v)
		}
	}

	// Analytic gradients.
	var sc Scope
	sc.Begin()
	out := f(inputs)
	outVals := out.Data()
	w := make([]float32, out.Len())
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	seed := MustFromSlice(out.Device(), w, out.Shape()...)
	anyGrad := out.RequiresGrad()
	if anyGrad {
		out.BackwardWith(seed)
	}
	sc.End()
	grads := make([][]float32, len(inputs))
	for i, in := range inputs {
		if in.RequiresGrad() {
			if g := in.Grad(); g != nil {
				grads[i] = g.Data()
			} else {
				grads[i] = make([]float32, in.Len())
			}
			in.ZeroGrad()
		}
	}

	lossRef := func() float64 {
		y := ref(vals64)
		var s float64
		for i, v := range y {
			s += float64(w[i]) * v
		}
		return s
	}
	if ref != nil {
		y := ref(vals64)
		if len(y) != len(outVals) {
			return fmt.Errorf("reference returned %d values, op %d", len(y), len(outVals))
		}
		if err := compareVecs("value", outVals, y, opt.ValueTol); err != nil {
			return err
		}
	}
	lossSelf := func() float64 {
		var s float64
		var sc Scope
		sc.Begin()
		NoGrad(func() {
			y := f(inputs).Data()
			for i, v := range y {
				s += float64(w[i]) * float64(v)
			}
		})
		sc.End()
		return s
	}

	for i, in := range inputs {
		if !in.RequiresGrad() {
			continue
		}
		pts := points(len(vals[i]), opt.MaxPoints, rng)
		an := make([]float32, len(pts))
		numRef := make([]float64, len(pts))
		numSelf := make([]float64, len(pts))
		for k, j := range pts {
			an[k] = grads[i][j]
			x0 := vals64[i][j]
			if ref != nil {
				h := 1e-6 * math.Max(1, math.Abs(x0))
				vals64[i][j] = x0 + h
				lp := lossRef()
				vals64[i][j] = x0 - h
				lm := lossRef()
				vals64[i][j] = x0
				numRef[k] = (lp - lm) / (2 * h)
			}
			if opt.SelfTol > 0 {
				h := float32(opt.SelfStep * math.Max(1, math.Abs(x0)))
				x32 := vals[i][j]
				vals[i][j] = x32 + h
				if err := in.SetData(vals[i]); err != nil {
					return err
				}
				lp := lossSelf()
				vals[i][j] = x32 - h
				in.SetData(vals[i])
				lm := lossSelf()
				vals[i][j] = x32
				in.SetData(vals[i])
				hp := float64(x32+h) - float64(x32-h)
				numSelf[k] = (lp - lm) / hp
			}
		}
		if ref != nil {
			if err := compareVecs(fmt.Sprintf("gradient of input %d %v vs float64 differences of the reference (points %v)", i, in.Shape(), short(pts)), an, numRef, opt.GradTol); err != nil {
				return err
			}
		}
		if opt.SelfTol > 0 {
			if err := compareVecs(fmt.Sprintf("gradient of input %d %v vs float32 differences of the op (points %v)", i, in.Shape(), short(pts)), an, numSelf, opt.SelfTol); err != nil {
				return err
			}
		}
	}
	return nil
}

func short(p []int) []int {
	if len(p) > 8 {
		return p[:8]
	}
	return p
}

// points picks up to max distinct indices of [0, n).
func points(n, max int, rng *rand.Rand) []int {
	if n <= max {
		p := make([]int, n)
		for i := range p {
			p[i] = i
		}
		return p
	}
	p := rng.Perm(n)[:max]
	return p
}

// compareVecs checks ||a-b|| <= tol*||b|| + 1e-6*sqrt(n), NaN-aware.
func compareVecs(what string, a []float32, b []float64, tol float64) error {
	var d2, b2 float64
	worst, wi := -1.0, -1
	for i := range b {
		av, bv := float64(a[i]), b[i]
		if math.IsNaN(av) != math.IsNaN(bv) || (math.IsInf(bv, 0) && av != bv) {
			return fmt.Errorf("%s: element %d is %v, want %v", what, i, av, bv)
		}
		if math.IsNaN(bv) || math.IsInf(bv, 0) {
			continue
		}
		d := av - bv
		d2 += d * d
		b2 += bv * bv
		if e := math.Abs(d) / (math.Abs(bv) + 1e-3); e > worst {
			worst, wi = e, i
		}
	}
	limit := tol*math.Sqrt(b2) + 1e-6*math.Sqrt(float64(len(b)))
	if math.Sqrt(d2) > limit {
		return fmt.Errorf("%s: relative error %.3g exceeds %.3g (worst element %d: got %v, want %v)",
			what, math.Sqrt(d2)/math.Max(math.Sqrt(b2), 1e-300), tol, wi, a[wi], b[wi])
	}
	return nil
}
