package autograd

// Scale returns alpha * x.
func Scale(x *Tensor, alpha float32) *Tensor {
	dev := sameDevice("Scale", x)
	out := result(dev, x.Shape()...)
	if out.size > 0 {
		dev.Scale(alpha, out, x)
	}
	if needsGrad(x) {
		n := record(out, scaleBackward, x)
		n.f[0] = alpha
	}
	return out
}

func scaleBackward(n *node, g *Tensor) { addGrad(n.in[0], g, n.f[0]) }

// Neg returns -x.
func Neg(x *Tensor) *Tensor { return Scale(x, -1) }
