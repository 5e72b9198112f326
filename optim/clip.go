package optim

import (
	"math"

	"github.com/idim-go/idim/autograd"
)

// GradNorm returns the global L2 norm of the gradients of params (those with
// a nil gradient are skipped), as if they were one vector:
//
//	sqrt(sum over params p, elements i of p.Grad()[i]^2)
//
// The squares are summed on each gradient's device with SumSquares into one
// scalar per device, and each scalar is read back once. The sum is float32
// (each tensor's own sum is float64 inside the CPU kernel), so a norm above
// about 1.8e19 reads as +Inf; NaN and Inf gradients give a NaN or Inf norm,
// which is how a caller detects them. No gradients give 0.
func GradNorm(params []*autograd.Tensor) float32 {
	type acc struct {
		dev autograd.Device
		sum *autograd.Tensor
	}
	var accs []acc
	for _, p := range params {
		if p == nil {
			continue
		}
		g := p.Grad()
		if g == nil || g.Len() == 0 {
			continue
		}
		dev := g.Device()
		k := -1
		for i := range accs {
			if accs[i].dev == dev {
				k = i
				break
			}
		}
		if k < 0 {
			accs = append(accs, acc{dev, autograd.Empty(dev)})
			k = len(accs) - 1
			dev.SumSquares(accs[k].sum, g, false)
			continue
		}
		dev.SumSquares(accs[k].sum, g, true)
	}
	var total float64
	for _, a := range accs {
		total += float64(a.sum.Item())
		a.sum.Release()
	}
	return float32(math.Sqrt(total))
}

// ClipCoef is the factor torch.nn.utils.clip_grad_norm_ multiplies the
// gradients by, in float32 as PyTorch computes it:
//
//	min(1, maxNorm / (norm + 1e-6))
//
// It is 1 when maxNorm <= 0 (no clipping, as in Hugging Face's Trainer) and
// when the factor is NaN (a NaN norm: the gradients are unusable anyway);
// an infinite norm gives 0.
func ClipCoef(norm, maxNorm float32) float32 {
	if !(maxNorm > 0) {
		return 1
	}
	c := maxNorm / (norm + float32(1e-6))
	if c < 1 {
		return c
	}
	return 1
}

// ClipGradNorm is torch.nn.utils.clip_grad_norm_ (L2): it computes the
// global gradient norm (GradNorm) and, when ClipCoef is below 1, scales every
// gradient in place by it with the device's Scale kernel. It returns the
// norm before clipping.
func ClipGradNorm(params []*autograd.Tensor, maxNorm float32) float32 {
	norm := GradNorm(params)
	c := ClipCoef(norm, maxNorm)
	if c == 1 {
		return norm
	}
	for _, p := range params {
		if p == nil {
			continue
		}
		if g := p.Grad(); g != nil && g.Len() > 0 {
			g.Device().Scale(c, g, g)
		}
	}
	return norm
}
