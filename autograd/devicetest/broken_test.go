package devicetest

import (
	"testing"

	"github.com/idim-go/idim/autograd"
)

// brokenDevice is the CPU device with a slightly wrong softmax backward
// (relative error 1e-3) and a GELU that is the tanh approximation.
type brokenDevice struct{ *autograd.CPUDevice }

func (brokenDevice) Name() string { return "broken" }

func (d brokenDevice) SoftmaxBackward(dx, y, dy *autograd.Tensor, rows, n int, log bool, alpha float32) {
	d.CPUDevice.SoftmaxBackward(dx, y, dy, rows, n, log, alpha*1.001)
}

func (d brokenDevice) Unary(op autograd.UnaryOp, dst, x *autograd.Tensor) {
	if op == autograd.OpGELU {
		op = autograd.OpGELUTanh
	}
	d.CPUDevice.Unary(op, dst, x)
}

// TestSuiteCatchesBrokenDevice makes sure the comparison can fail.
func TestSuiteCatchesBrokenDevice(t *testing.T) {
	dev := brokenDevice{autograd.CPU()}
	for _, name := range []string{"softmax", "gelu"} {
		c, _ := Lookup(name)
		if errs := compare(c, dev); len(errs) == 0 {
			t.Errorf("%s: a broken device passed", name)
		} else {
			t.Logf("%s: %s", name, errs[0])
		}
	}
	// The kernels the device did not break still pass.
	c, _ := Lookup("layernorm")
	if errs := compare(c, dev); len(errs) != 0 {
		t.Errorf("layernorm: %v", errs)
	}
}
