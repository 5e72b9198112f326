package autograd

// normAxis resolves a possibly negative axis against rank.
func normAxis(op string, axis, rank int) int {
	if axis < 0 {
		axis += rank
	}
	if axis < 0 || axis >= rank {
		opPanic(op, "axis %d out of range for rank %d", axis, rank)
	}
	return axis
}

// outerInner returns the product of the dims before and after axis.
func outerInner(shape []int, axis int) (outer, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return
}

// Concat joins tensors along axis; all other dimensions must agree. At most
// 4 tensors are recorded per node, so longer lists are joined in steps.
func Concat(axis int, ts ...*Tensor) *Tensor {
	const op = "Concat"
	if len(ts) == 0 {
		opPanic(op, "no tensors")
	}
	if len(ts) > 4 {
		return Concat(axis, Concat(axis, ts[:4]...), Concat(axis, ts[4:]...))
	}
	dev := sameDevice(op, ts...)
	first := ts[0]
	axis = normAxis(op, axis, first.ndim)
	total := 0
	for _, t := range ts {
		if t.ndim != first.ndim {
			opPanic(op, "ranks differ: %v and %v", first.Shape(), t.Shape())
		}
		for d := 0; d < t.ndim; d++ {
			if d != axis && t.shape[d] != first.shape[d] {
				opPanic(op, "shapes %v and %v differ outside axis %d", first.Shape(), t.Shape(), axis)
			}
		}
		total += t.shape[axis]
	}
	var shape [MaxDims]int
	copy(shape[:], first.Shape())
	shape[axis] = total
	out := result(dev, shape[:first.ndim]...)
	outer, inner := outerInner(out.Shape(), axis)
	at := 0
	for _, t := range ts {
		w := t.shape[axis] * inner
		if out.size > 0 && w > 0 {
			dev.CopyRows(out, at, total*inner, t, 0, w, outer, w, false)
		}
		at += w
	}
	if needsGrad(ts...) {
		n := record(out, concatBackward, ts...)
		n.ints[0] = axis
	}
	return out
}

func concatBackward(n *node, g *Tensor) {
	axis := n.ints[0]
	outer, inner := outerInner(g.Shape(), axis)
	total := g.shape[axis]
	at := 0
	for i := 0; i < n.nin; i++ {
		x := n.in[i]
		w := x.shape[axis] * inner
		if wants(x) {
			dst, beta := gradTarget(x)
			if dst.size > 0 {
				g.dev.CopyRows(dst, 0, w, g, at, total*inner, outer, w, beta != 0)
			}
		}
		at += w
	}
}
