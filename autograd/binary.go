package autograd

// Add returns a + b with NumPy broadcasting.
func Add(a, b *Tensor) *Tensor { return binary("Add", OpAdd, a, b) }

// Sub returns a - b with NumPy broadcasting.
func Sub(a, b *Tensor) *Tensor { return binary("Sub", OpSub, a, b) }

// Mul returns a * b elementwise with NumPy broadcasting.
func Mul(a, b *Tensor) *Tensor { return binary("Mul", OpMul, a, b) }

// Div returns a / b elementwise with NumPy broadcasting.
func Div(a, b *Tensor) *Tensor { return binary("Div", OpDiv, a, b) }

func binary(name string, op BinaryOp, a, b *Tensor) *Tensor {
	dev := sameDevice(name, a, b)
	shape, n := broadcastShape(name, a.Shape(), b.Shape())
	out := result(dev, shape[:n]...)
	if out.size > 0 {
		dev.Binary(op, out, a, b)
	}
	if needsGrad(a, b) {
		nd := record(out, binaryBackward, a, b)
		nd.ints[0] = int(op)
	}
	return out
}

func binaryBackward(n *node, g *Tensor) {
	a, b := n.in[0], n.in[1]
	dev := g.dev
	switch BinaryOp(n.ints[0]) {
	case OpAdd:
		addGrad(a, g, 1)
		addGrad(b, g, 1)
	case OpSub:
		addGrad(a, g, 1)
		addGrad(b, g, -1)
	case OpMul:
		if wants(a) {
			t := temp(dev, g.Shape()...)
			dev.Binary(OpMul, t, g, b)
			addGrad(a, t, 1)
			t.free()
		}
		if wants(b) {
			t := temp(dev, g.Shape()...)
			dev.Binary(OpMul, t, g, a)
			addGrad(b, t, 1)
			t.free()
		}
	case OpDiv:
		// da = g/b; db = -g*a/b^2 = -(g/b)*y.
		t := temp(dev, g.Shape()...)
		dev.Binary(OpDiv, t, g, b)
		if wants(b) {
			u := temp(dev, g.Shape()...)
			dev.Binary(OpMul, u, t, n.out)
			addGrad(b, u, -1)
			u.free()
		}
		addGrad(a, t, 1)
		t.free()
	}
}
