package autograd

// Softmax returns the softmax of x over its last axis, computed stably
// (the row maximum is subtracted first).
func Softmax(x *Tensor) *Tensor { return softmax("Softmax", x, false) }

// LogSoftmax returns log(softmax(x)) over the last axis, computed stably.
func LogSoftmax(x *Tensor) *Tensor { return softmax("LogSoftmax", x, true) }

func softmax(op string, x *Tensor, log bool) *Tensor {
	dev := sameDevice(op, x)
	if x.ndim < 1 {
		opPanic(op, "needs rank >= 1, got %v", x.Shape())
	}
	n := x.Dim(-1)
	rows := 0
	if n > 0 {
		rows = x.size / n
	}
	out := result(dev, x.Shape()...)
	if out.size > 0 {
		dev.Softmax(out, x, rows, n, log)
	}
	if needsGrad(x) {
		nd := record(out, softmaxBackward, x)
		nd.flags[0] = log
		nd.ints[0], nd.ints[1] = rows, n
	}
	return out
}

func softmaxBackward(nd *node, g *Tensor) {
	x := nd.in[0]
	if !wants(x) {
		return
	}
	t := temp(g.dev, x.Shape()...)
	if t.size > 0 {
		g.dev.SoftmaxBackward(t, nd.out, g, nd.ints[0], nd.ints[1], nd.flags[0], 1)
	}
	accumGrad(x, t)
}
