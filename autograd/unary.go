package autograd

// GELU is the exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as in
// RoBERTa ("gelu" in HF configs).
func GELU(x *Tensor) *Tensor { return unary("GELU", OpGELU, x) }

// GELUTanh is the tanh approximation of GELU ("gelu_new"/"gelu_pytorch_tanh").
func GELUTanh(x *Tensor) *Tensor { return unary("GELUTanh", OpGELUTanh, x) }

// Tanh is the hyperbolic tangent.
func Tanh(x *Tensor) *Tensor { return unary("Tanh", OpTanh, x) }

// ReLU is max(x, 0); its derivative at 0 is taken as 0.
func ReLU(x *Tensor) *Tensor { return unary("ReLU", OpReLU, x) }

// Sigmoid is 1 / (1 + exp(-x)).
func Sigmoid(x *Tensor) *Tensor { return unary("Sigmoid", OpSigmoid, x) }

// Exp is exp(x).
func Exp(x *Tensor) *Tensor { return unary("Exp", OpExp, x) }

// Log is the natural logarithm.
func Log(x *Tensor) *Tensor { return unary("Log", OpLog, x) }

// Sqrt is the square root.
func Sqrt(x *Tensor) *Tensor { return unary("Sqrt", OpSqrt, x) }

// Square is x*x.
func Square(x *Tensor) *Tensor { return unary("Square", OpSquare, x) }

func unary(name string, op UnaryOp, x *Tensor) *Tensor {
	dev := sameDevice(name, x)
	out := result(dev, x.Shape()...)
	if out.size > 0 {
		dev.Unary(op, out, x)
	}
	if needsGrad(x) {
		n := record(out, unaryBackward, x)
		n.ints[0] = int(op)
	}
	return out
}

func unaryBackward(n *node, g *Tensor) {
	x := n.in[0]
	if !wants(x) {
		return
	}
	op := UnaryOp(n.ints[0])
	t := temp(g.dev, x.Shape()...)
	if t.size > 0 {
		g.dev.UnaryBackward(op, t, x, n.out, g)
	}
	accumGrad(x, t)
}
