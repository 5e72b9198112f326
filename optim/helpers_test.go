package optim

import (
	"fmt"
	"math"
	"testing"

	"github.com/idim-go/idim/autograd"
)

var cpu = autograd.CPU()

// setGrad makes data the gradient of p (nil: no gradient).
func setGrad(t testing.TB, p *autograd.Tensor, data []float32) {
	t.Helper()
	p.ZeroGrad()
	if data == nil {
		return
	}
	g, err := autograd.FromSlice(p.Device(), data, p.Shape()...)
	if err != nil {
		t.Fatal(err)
	}
	p.BackwardWith(g)
	g.Release()
}

func newParam(t testing.TB, name string, data []float32, shape ...int) *autograd.Tensor {
	t.Helper()
	p := autograd.NewParameter(cpu, name, shape...)
	if err := p.SetData(data); err != nil {
		t.Fatal(err)
	}
	return p
}

// ulpDiff is the distance between a and b in float32 units in the last place
// of the larger magnitude; NaN matches only NaN.
func ulpDiff(a, b float32) float64 {
	if math.IsNaN(float64(a)) || math.IsNaN(float64(b)) {
		if math.IsNaN(float64(a)) && math.IsNaN(float64(b)) {
			return 0
		}
		return math.Inf(1)
	}
	if a == b {
		return 0
	}
	m := math.Max(math.Abs(float64(a)), math.Abs(float64(b)))
	ulp := float64(math.Nextafter32(float32(m), float32(math.Inf(1)))) - float64(float32(m))
	return math.Abs(float64(a)-float64(b)) / ulp
}

// relDiff is |a-b|/max(|b|, floor).
func relDiff(a float32, b float64, floor float64) float64 {
	if math.IsNaN(float64(a)) != math.IsNaN(b) {
		return math.Inf(1)
	}
	if math.IsNaN(b) {
		return 0
	}
	return math.Abs(float64(a)-b) / math.Max(math.Abs(b), floor)
}

// maxULP is the largest ulpDiff over two slices, and where.
func maxULP(got, want []float32) (float64, int) {
	if len(got) != len(want) {
		return math.Inf(1), -1
	}
	worst, at := 0.0, -1
	for i := range got {
		if d := ulpDiff(got[i], want[i]); d > worst || at < 0 {
			worst, at = d, i
		}
	}
	return worst, at
}

func bitsEqual(a, b []float32) error {
	if len(a) != len(b) {
		return fmt.Errorf("lengths %d and %d", len(a), len(b))
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return fmt.Errorf("element %d: %v (%#08x) != %v (%#08x)", i, a[i], math.Float32bits(a[i]), b[i], math.Float32bits(b[i]))
		}
	}
	return nil
}

func to32(x []float64) []float32 {
	if x == nil {
		return nil
	}
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// stateOf is stateOf32 in float64 (nil stays nil).
func stateOf(opt Optimizer, t *autograd.Tensor, buf string) ([]float64, int) {
	x, n := stateOf32(opt, t, buf)
	if x == nil {
		return nil, n
	}
	return to64(x), n
}

func ps(ts ...*autograd.Tensor) []*autograd.Tensor { return ts }
