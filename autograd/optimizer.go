package autograd

import "fmt"

// AdamUpdate applies one fused Adam/AdamW step (Device.Adam) to param using
// its gradient and the moment tensors m and v (same shape, same device;
// make them with NewState so that no Scope releases them). A parameter without a gradient is left alone. It records
// nothing on the tape.
func AdamUpdate(param, m, v *Tensor, p AdamParams) error {
	g := param.grad
	if g == nil || param.size == 0 {
		return nil
	}
	if m.size != param.size || v.size != param.size {
		return fmt.Errorf("autograd: AdamUpdate %q: parameter %v, moments %v and %v", param.name, param.Shape(), m.Shape(), v.Shape())
	}
	if m.dev != param.dev || v.dev != param.dev {
		return fmt.Errorf("autograd: AdamUpdate %q: moments on another device", param.name)
	}
	if p.Step < 1 {
		return fmt.Errorf("autograd: AdamUpdate %q: step %d, want >= 1", param.name, p.Step)
	}
	param.dev.Adam(param, g, m, v, p)
	return nil
}

// GradSquaredNorm returns, as a one-element tensor on the device of the
// first parameter, the sum of the squares of all the gradients of params
// (parameters without a gradient count as zero). Item() on it is the one
// value a step with gradient clipping needs to read back. The result is
// not in any scope; Release it.
func GradSquaredNorm(params []*Tensor) *Tensor {
	if len(params) == 0 {
		return nil
	}
	dev := params[0].dev
	out := newTensor(dev, nil)
	dev.Fill(out, 0)
	for _, p := range params {
		if p.dev != dev {
			opPanic("GradSquaredNorm", "parameter %q on device %s, others on %s", p.name, p.dev.Name(), dev.Name())
		}
		if p.grad != nil && p.size > 0 {
			dev.SumSquares(out, p.grad, true)
		}
	}
	return out
}

// ScaleGrads multiplies every existing gradient of params by alpha.
func ScaleGrads(params []*Tensor, alpha float32) {
	for _, p := range params {
		if p.grad != nil && p.size > 0 {
			p.dev.Scale(alpha, p.grad, p.grad)
		}
	}
}
