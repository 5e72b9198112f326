package autograd

// Reshape returns a view of x with a new shape of the same number of
// elements; one dimension may be -1 and is then inferred. The view shares
// x's storage (no copy); gradients flow back unchanged.
func Reshape(x *Tensor, shape ...int) *Tensor {
	const op = "Reshape"
	sameDevice(op, x)
	if len(shape) > MaxDims {
		opPanic(op, "shape %s has more than %d dimensions", dims(shape), MaxDims)
	}
	var s [MaxDims]int
	nd := copy(s[:], shape)
	infer, known := -1, 1
	for i := 0; i < nd; i++ {
		switch {
		case s[i] == -1 && infer < 0:
			infer = i
		case s[i] < 0:
			opPanic(op, "bad shape %s for %v", dims(shape), x.Shape())
		default:
			known *= s[i]
		}
	}
	if infer >= 0 {
		if known == 0 || x.size%known != 0 {
			opPanic(op, "cannot infer -1 in %s for %v", dims(shape), x.Shape())
		}
		s[infer] = x.size / known
		known *= s[infer]
	}
	if known != x.size {
		opPanic(op, "cannot reshape %v (%d elements) to %s", x.Shape(), x.size, dims(shape))
	}
	out := x.view(0, s[:nd])
	currentScopeAdd(out)
	if needsGrad(x) {
		record(out, reshapeBackward, x)
	}
	return out
}

func reshapeBackward(n *node, g *Tensor) { addGrad(n.in[0], g, 1) }

// Detach returns a view of x that shares its storage but is cut off from the
// graph: no gradient flows through it.
func Detach(x *Tensor) *Tensor {
	sameDevice("Detach", x)
	out := x.view(0, x.Shape())
	currentScopeAdd(out)
	return out
}
