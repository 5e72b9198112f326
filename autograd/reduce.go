package autograd

// Sum returns the sum of x over axis (negative counts from the end); with
// keepDim the axis stays with size 1.
func Sum(x *Tensor, axis int, keepDim bool) *Tensor {
	return reduceAxis("Sum", x, axis, keepDim, false)
}

// Mean returns the mean of x over axis; with keepDim the axis stays with size 1.
func Mean(x *Tensor, axis int, keepDim bool) *Tensor {
	return reduceAxis("Mean", x, axis, keepDim, true)
}

// SumAll returns the sum of all elements as a tensor of shape [].
func SumAll(x *Tensor) *Tensor { return reduceAll("SumAll", x, false) }

// MeanAll returns the mean of all elements as a tensor of shape [].
func MeanAll(x *Tensor) *Tensor { return reduceAll("MeanAll", x, true) }

func reduceAxis(op string, x *Tensor, axis int, keepDim, mean bool) *Tensor {
	dev := sameDevice(op, x)
	axis = normAxis(op, axis, x.ndim)
	outer, inner := outerInner(x.Shape(), axis)
	n := x.shape[axis]
	var shape [MaxDims]int
	nd := 0
	for d := 0; d < x.ndim; d++ {
		if d == axis {
			if keepDim {
				shape[nd] = 1
				nd++
			}
			continue
		}
		shape[nd] = x.shape[d]
		nd++
	}
	alpha := float32(1)
	if mean && n > 0 {
		alpha = 1 / float32(n)
	}
	out := result(dev, shape[:nd]...)
	if out.size > 0 {
		if n == 0 {
			dev.Fill(out, 0)
		} else {
			dev.ReduceSum(out, x, outer, n, inner, alpha, 0)
		}
	}
	if needsGrad(x) {
		nd := record(out, reduceBackward, x)
		nd.f[0] = alpha
		nd.ints[0], nd.ints[1], nd.ints[2] = outer, n, inner
	}
	return out
}

func reduceAll(op string, x *Tensor, mean bool) *Tensor {
	dev := sameDevice(op, x)
	alpha := float32(1)
	if mean && x.size > 0 {
		alpha = 1 / float32(x.size)
	}
	out := result(dev)
	if x.size == 0 {
		dev.Fill(out, 0)
	} else {
		dev.ReduceSum(out, x, 1, x.size, 1, alpha, 0)
	}
	if needsGrad(x) {
		nd := record(out, reduceBackward, x)
		nd.f[0] = alpha
		nd.ints[0], nd.ints[1], nd.ints[2] = 1, x.size, 1
	}
	return out
}

// reduceBackward broadcasts alpha*g ([outer, inner]) back over the reduced
// axis of x ([outer, n, inner]).
func reduceBackward(nd *node, g *Tensor) {
	x := nd.in[0]
	if !wants(x) || x.size == 0 {
		if wants(x) && x.grad == nil {
			x.grad = newTensor(x.dev, x.Shape())
		}
		return
	}
	outer, n, inner := nd.ints[0], nd.ints[1], nd.ints[2]
	dev := g.dev
	gv := g.view(0, []int{outer, 1, inner})
	xv := newTensor(dev, []int{outer, n, inner})
	s := newTensor(dev, nil)
	dev.Fill(s, nd.f[0])
	dev.Binary(OpMul, xv, gv, s)
	s.free()
	gv.free()
	accumGrad(x, xv)
}
