package autograd

// Slice returns x[..., start:end, ...] along axis. When the dimensions
// before axis are all 1 the result is a view; otherwise a copy.
func Slice(x *Tensor, axis, start, end int) *Tensor {
	const op = "Slice"
	dev := sameDevice(op, x)
	axis = normAxis(op, axis, x.ndim)
	if start < 0 || end < start || end > x.shape[axis] {
		opPanic(op, "range [%d:%d] out of bounds for axis %d of %v", start, end, axis, x.Shape())
	}
	var shape [MaxDims]int
	copy(shape[:], x.Shape())
	shape[axis] = end - start
	outer, inner := outerInner(x.Shape(), axis)
	var out *Tensor
	if outer == 1 {
		out = x.view(start*inner, shape[:x.ndim])
		currentScopeAdd(out)
	} else {
		out = result(dev, shape[:x.ndim]...)
		if out.size > 0 {
			w := (end - start) * inner
			dev.CopyRows(out, 0, w, x, start*inner, x.shape[axis]*inner, outer, w, false)
		}
	}
	if needsGrad(x) {
		n := record(out, sliceBackward, x)
		n.ints[0], n.ints[1] = axis, start
	}
	return out
}

func sliceBackward(n *node, g *Tensor) {
	x := n.in[0]
	if !wants(x) {
		return
	}
	axis, start := n.ints[0], n.ints[1]
	outer, inner := outerInner(x.Shape(), axis)
	dst, beta := gradTarget(x)
	if beta == 0 && dst.size > 0 {
		g.dev.Fill(dst, 0)
	}
	w := g.shape[axis] * inner
	if g.size > 0 {
		g.dev.CopyRows(dst, start*inner, x.shape[axis]*inner, g, 0, w, outer, w, true)
	}
}

// Split cuts x along axis into pieces of the given sizes, which must add up
// to the axis' length.
func Split(x *Tensor, axis int, sizes ...int) []*Tensor {
	axis = normAxis("Split", axis, x.ndim)
	sum := 0
	for _, s := range sizes {
		sum += s
	}
	if sum != x.shape[axis] {
		opPanic("Split", "sizes %v do not add up to %d (axis %d of %v)", sizes, x.shape[axis], axis, x.Shape())
	}
	out := make([]*Tensor, len(sizes))
	at := 0
	for i, s := range sizes {
		out[i] = Slice(x, axis, at, at+s)
		at += s
	}
	return out
}
