// Package devicetest is the conformance suite that every autograd.Device
// runs: each op's values and gradients on the device are compared with the
// CPU device by normalised mean squared error,
//
//	NMSE(x, ref) = sum (x_i - ref_i)^2 / sum ref_i^2
//
// against a bound per op (Case.NMSE, Case.GradNMSE). On the CPU device
// itself, where the CPU is its own baseline, Run compares instead with a
// float64 reimplementation of each op (values) and with central differences
// of it (gradients), through autograd.CheckGrad.
//
// A device package tests itself with
//
//	func TestConformance(t *testing.T) { devicetest.Run(t, dev) }
//
// Adding an op is one file in autograd (forward, backward, test) plus one
// Case here (a file with the case and its float64 reference, and an entry in
// the table in table.go).
package devicetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// Spec describes one input of a case variant.
type Spec struct {
	Shape []int
	// Const marks an input that takes no gradient (masks, constants).
	Const bool
	// Gen returns element i; nil draws from N(0, 1).
	Gen func(i int, r *rand.Rand) float32
}

// Case is one op (or a small composition of ops) under test.
type Case struct {
	Name string
	// Variants lists the inputs of each tried configuration: random
	// shapes, broadcasting, size-1 and empty dimensions.
	Variants [][]Spec
	// F runs the op on the inputs (all on one device).
	F func(in []*autograd.Tensor) *autograd.Tensor
	// Ref computes F's values in float64 from the inputs' values and shapes.
	Ref func(in [][]float64, shapes [][]int) []float64
	// NMSE and GradNMSE bound a device's values and gradients against the
	// CPU device; zero means 1e-10 and 1e-9.
	NMSE, GradNMSE float64
	// Check holds the tolerances of the float64 reference check on the CPU.
	Check autograd.GradCheckOptions
}

// Cases returns the table of cases.
func Cases() []Case { return table }

// Lookup returns the case called name.
func Lookup(name string) (Case, bool) {
	for _, c := range table {
		if c.Name == name {
			return c, true
		}
	}
	return Case{}, false
}

// inputs builds the tensors of variant v on dev from a seeded generator, so
// that every device gets the same values.
func inputs(dev autograd.Device, v []Spec, seed uint64) ([]*autograd.Tensor, [][]float32) {
	rng := rand.New(rand.NewPCG(seed, 7))
	ts := make([]*autograd.Tensor, len(v))
	vals := make([][]float32, len(v))
	for i, s := range v {
		n := 1
		for _, d := range s.Shape {
			n *= d
		}
		vals[i] = make([]float32, n)
		for j := range vals[i] {
			if s.Gen != nil {
				vals[i][j] = s.Gen(j, rng)
			} else {
				vals[i][j] = float32(rng.NormFloat64())
			}
		}
		t, err := autograd.FromSlice(dev, vals[i], s.Shape...)
		if err != nil {
			panic(err)
		}
		ts[i] = t.SetRequiresGrad(!s.Const)
	}
	return ts, vals
}

// CheckOp runs the float64 reference check of the case called name on the
// CPU device, for every variant: values against Ref, gradients against
// central differences of Ref (float64) and of the op (float32).
func CheckOp(t *testing.T, name string) {
	t.Helper()
	c, ok := Lookup(name)
	if !ok {
		t.Fatalf("devicetest: no case %q", name)
	}
	checkReference(t, c)
}

func checkReference(t *testing.T, c Case) {
	t.Helper()
	for vi, v := range c.Variants {
		var sc autograd.Scope
		sc.Begin()
		ins, _ := inputs(autograd.CPU(), v, uint64(vi)+1)
		shapes := make([][]int, len(v))
		for i, s := range v {
			shapes[i] = s.Shape
		}
		var ref func([][]float64) []float64
		if c.Ref != nil {
			ref = func(x [][]float64) []float64 { return c.Ref(x, shapes) }
		}
		opt := c.Check
		opt.Seed = uint64(vi) + 11
		err := autograd.CheckGrad(c.F, ref, ins, opt)
		for _, in := range ins {
			in.ZeroGrad()
		}
		sc.End()
		if err != nil {
			t.Errorf("%s variant %d %v: %v", c.Name, vi, shapes, err)
		}
	}
}

// NMSE is sum (x-ref)^2 / sum ref^2 (the plain sum of squares when ref is
// all zero); NaN where exactly one of the two is NaN makes it +Inf.
func NMSE(x, ref []float32) float64 {
	var d2, r2 float64
	for i := range ref {
		a, b := float64(x[i]), float64(ref[i])
		if math.IsNaN(a) || math.IsNaN(b) {
			if math.IsNaN(a) != math.IsNaN(b) {
				return math.Inf(1)
			}
			continue
		}
		if math.IsInf(b, 0) || math.IsInf(a, 0) {
			if a != b {
				return math.Inf(1)
			}
			continue
		}
		d2 += (a - b) * (a - b)
		r2 += b * b
	}
	if r2 == 0 {
		return d2
	}
	return d2 / r2
}

// run evaluates case variant v on dev and returns the output values and the
// gradient of every input (nil for constants) for the seed gradient w.
func run(c Case, dev autograd.Device, v []Spec, seed uint64) (out []float32, grads [][]float32) {
	var sc autograd.Scope
	sc.Begin()
	defer sc.End()
	ins, _ := inputs(dev, v, seed)
	y := c.F(ins)
	out = y.Data()
	rng := rand.New(rand.NewPCG(seed, 99))
	w := make([]float32, y.Len())
	for i := range w {
		w[i] = float32(rng.NormFloat64())
	}
	if y.RequiresGrad() {
		y.BackwardWith(autograd.MustFromSlice(dev, w, y.Shape()...))
	}
	grads = make([][]float32, len(ins))
	for i, in := range ins {
		if !v[i].Const {
			if g := in.Grad(); g != nil {
				grads[i] = g.Data()
			} else {
				grads[i] = make([]float32, in.Len())
			}
		}
		in.Release()
	}
	return out, grads
}

// Run runs every case on dev: against the CPU device by NMSE, and, when dev
// is the CPU device, against the float64 references. It then calls
// RunKernels.
func Run(t *testing.T, dev autograd.Device) {
	t.Helper()
	isCPU := autograd.Unwrap(dev) == autograd.Device(autograd.CPU())
	for _, c := range table {
		t.Run(c.Name, func(t *testing.T) {
			if isCPU {
				checkReference(t, c)
			}
			compareWithCPU(t, c, dev)
		})
	}
	RunKernels(t, dev)
}

func compareWithCPU(t *testing.T, c Case, dev autograd.Device) {
	t.Helper()
	for _, msg := range compare(c, dev) {
		t.Error(msg)
	}
}

// compare runs every variant of c on dev and on the CPU device and
// describes each value or gradient whose NMSE exceeds the case's bound.
func compare(c Case, dev autograd.Device) []string {
	bound, gbound := c.NMSE, c.GradNMSE
	if bound == 0 {
		bound = 1e-10
	}
	if gbound == 0 {
		gbound = 1e-9
	}
	var errs []string
	for vi, v := range c.Variants {
		seed := uint64(vi) + 1
		want, wantG := run(c, autograd.CPU(), v, seed)
		got, gotG := run(c, dev, v, seed)
		if len(got) != len(want) {
			errs = append(errs, fmt.Sprintf("%s variant %d: %d values, CPU %d", c.Name, vi, len(got), len(want)))
			continue
		}
		if e := NMSE(got, want); !(e <= bound) {
			errs = append(errs, fmt.Sprintf("%s variant %d on %s: values NMSE %.3g > %.3g", c.Name, vi, dev.Name(), e, bound))
		}
		for i := range wantG {
			if wantG[i] == nil {
				continue
			}
			if e := NMSE(gotG[i], wantG[i]); !(e <= gbound) {
				errs = append(errs, fmt.Sprintf("%s variant %d on %s: gradient of input %d NMSE %.3g > %.3g", c.Name, vi, dev.Name(), i, e, gbound))
			}
		}
	}
	return errs
}
