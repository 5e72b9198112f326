package autograd

// Permute returns x with its axes reordered: axis d of the result is axis
// perm[d] of x. The result is a contiguous copy.
func Permute(x *Tensor, perm ...int) *Tensor {
	const op = "Permute"
	dev := sameDevice(op, x)
	if len(perm) != x.ndim {
		opPanic(op, "permutation %s for a tensor of rank %d (%v)", dims(perm), x.ndim, x.Shape())
	}
	var p [MaxDims]int
	var seen [MaxDims]bool
	var shape [MaxDims]int
	for d, ax := range perm {
		if ax < 0 || ax >= x.ndim || seen[ax] {
			opPanic(op, "%s is not a permutation of the axes of %v", dims(perm), x.Shape())
		}
		seen[ax] = true
		p[d] = ax
		shape[d] = x.shape[ax]
	}
	out := result(dev, shape[:x.ndim]...)
	if out.size > 0 {
		dev.Permute(out, x, p)
	}
	if needsGrad(x) {
		n := record(out, permuteBackward, x)
		copy(n.ints[:], p[:x.ndim])
	}
	return out
}

func permuteBackward(n *node, g *Tensor) {
	x := n.in[0]
	if !wants(x) {
		return
	}
	var inv [MaxDims]int
	for d := 0; d < x.ndim; d++ {
		inv[n.ints[d]] = d
	}
	t := temp(g.dev, x.Shape()...)
	if t.size > 0 {
		g.dev.Permute(t, g, inv)
	}
	accumGrad(x, t)
}

// Transpose swaps axes d0 and d1 of x (negative axes count from the end);
// the result is a contiguous copy. For matrix products, prefer the transpose
// flags of MatMul, which copy nothing.
func Transpose(x *Tensor, d0, d1 int) *Tensor {
	if d0 < 0 {
		d0 += x.ndim
	}
	if d1 < 0 {
		d1 += x.ndim
	}
	if d0 < 0 || d1 < 0 || d0 >= x.ndim || d1 >= x.ndim {
		opPanic("Transpose", "axes %d, %d out of range for %v", d0, d1, x.Shape())
	}
	var p [MaxDims]int
	for i := range p[:x.ndim] {
		p[i] = i
	}
	p[d0], p[d1] = d1, d0
	return Permute(x, p[:x.ndim]...)
}
