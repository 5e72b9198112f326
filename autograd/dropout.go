package autograd

import "fmt"

// Dropout zeroes each element of x with probability p and scales the rest by
// 1/(1-p). The mask is a pure function of (seed, element index) (see
// kernels.DropoutKeep): the same seed gives the same mask on every device
// and for any number of threads, and the backward recomputes it instead of
// storing it. Use a new seed per call (for example step*1000 + layer).
// p == 0 returns a view of x (no copy). p must be in [0, 1).
func Dropout(x *Tensor, p float32, seed uint64) *Tensor {
	const op = "Dropout"
	dev := sameDevice(op, x)
	if !(p >= 0 && p < 1) {
		opPanic(op, "probability %s not in [0, 1)", fmt.Sprint(p))
	}
	if p == 0 {
		return Reshape(x, x.Shape()...)
	}
	out := result(dev, x.Shape()...)
	if out.size > 0 {
		dev.Dropout(out, x, p, seed)
	}
	if needsGrad(x) {
		n := record(out, dropoutBackward, x)
		n.f[0] = p
		n.u = seed
	}
	return out
}

func dropoutBackward(n *node, g *Tensor) {
	x := n.in[0]
	if !wants(x) {
		return
	}
	t := temp(g.dev, x.Shape()...)
	if t.size > 0 {
		g.dev.Dropout(t, g, n.f[0], n.u)
	}
	accumGrad(x, t)
}
