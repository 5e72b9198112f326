package autograd

// Function is an op defined outside this package (for example a structured
// random projection computed with the fwht package). Apply records it on the
// tape like a built-in op.
type Function interface {
	// Forward computes the output from the inputs. It must return a new
	// tensor (made with Empty or an op; recording is off while it runs).
	// The inputs slice is valid only during the call (its elements may be
	// kept).
	Forward(inputs []*Tensor) *Tensor
	// Backward returns the gradient of each input given the gradient g of
	// the output, or nil for inputs that need none (needs[i] false). The
	// returned tensors become the engine's. inputs and output are the
	// forward's; the inputs and needs slices are valid only during the call.
	Backward(g *Tensor, inputs []*Tensor, output *Tensor, needs []bool) []*Tensor
}

// Apply runs f.Forward on the inputs (at most 4) and, when one of them
// requires a gradient, records f so that Backward calls f.Backward.
func Apply(f Function, inputs ...*Tensor) *Tensor {
	if len(inputs) > 4 {
		opPanic("Apply", "%d inputs, at most 4", len(inputs))
	}
	sameDevice("Apply", inputs...)
	// The inputs travel in a pooled node, so that calling the interface
	// methods does not allocate.
	n := getNode()
	n.nin = copy(n.in[:], inputs)
	rec := needsGrad(inputs...)
	prev := SetGradEnabled(false)
	out := f.Forward(n.in[:n.nin])
	SetGradEnabled(prev)
	if !rec {
		freeNode(n)
		return out
	}
	n.backward = applyBackward
	n.out = out
	n.fn = f
	out.node = n
	out.requiresGrad = true
	return out
}

func applyBackward(n *node, g *Tensor) {
	needs := n.flags[:n.nin]
	for i := range needs {
		needs[i] = wants(n.in[i])
	}
	grads := n.fn.Backward(g, n.in[:n.nin], n.out, needs)
	for i, gr := range grads {
		if gr == nil || i >= n.nin {
			continue
		}
		x := n.in[i]
		if gr.size != x.size {
			opPanic("Apply", "Backward returned a gradient of shape %v for input %d of shape %v", gr.Shape(), i, x.Shape())
		}
		if gr == g || gr == n.out || isInput(n, gr) {
			addGrad(x, gr, 1) // not ours to keep
			continue
		}
		lockScopes()
		if gr.scope != nil {
			gr.scope.remove(gr)
		}
		unlockScopes()
		if gr.base != nil {
			// A view: copy it into storage of its own.
			addGrad(x, gr, 1)
			gr.free()
			continue
		}
		accumGrad(x, gr)
	}
}

func isInput(n *node, t *Tensor) bool {
	for i := 0; i < n.nin; i++ {
		if n.in[i] == t {
			return true
		}
	}
	return false
}
