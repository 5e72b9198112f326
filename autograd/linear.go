package autograd

// Linear returns x W^T + b as in torch.nn.functional.linear: x is
// [..., in], w is [out, in] (the PyTorch/HF layout), b is [out] or nil, and
// the result is [..., out].
func Linear(x, w, b *Tensor) *Tensor {
	const op = "Linear"
	dev := sameDevice(op, x, w, b)
	if w.ndim != 2 || x.ndim < 1 {
		opPanic(op, "weight must be [out, in] and x [..., in]; got x %v, weight %v", x.Shape(), w.Shape())
	}
	out, in := w.Dim(0), w.Dim(1)
	if x.Dim(-1) != in {
		opPanic(op, "x %v has %d features, weight %q %v expects %d", x.Shape(), x.Dim(-1), w.name, w.Shape(), in)
	}
	if b != nil && (b.ndim != 1 || b.Dim(0) != out) {
		opPanic(op, "bias %q %v does not match weight %v", b.name, b.Shape(), w.Shape())
	}
	rows := x.size / max(in, 1)
	if in == 0 {
		rows = 1
		for _, d := range x.shape[:x.ndim-1] {
			rows *= d
		}
	}
	var shape [MaxDims]int
	nd := copy(shape[:], x.shape[:x.ndim-1])
	shape[nd] = out
	y := result(dev, shape[:nd+1]...)
	if y.size > 0 {
		if in == 0 {
			dev.Fill(y, 0)
		} else {
			dev.Gemm(GemmArgs{TransB: true, M: rows, N: out, K: in, Alpha: 1,
				A: x, LdA: in, B: w, LdB: in, C: y, LdC: out, Batch: 1})
		}
		if b != nil {
			dev.Binary(OpAdd, y, y, b)
		}
	}
	if needsGrad(x, w, b) {
		n := record(y, linearBackward, x, w, b)
		n.ints[0], n.ints[1], n.ints[2] = rows, in, out
	}
	return y
}

func linearBackward(n *node, g *Tensor) {
	x, w, b := n.in[0], n.in[1], n.in[2]
	rows, in, out := n.ints[0], n.ints[1], n.ints[2]
	dev := g.dev
	if wants(x) {
		dst, beta := gradTarget(x)
		if dst.size > 0 {
			if out == 0 {
				if beta == 0 {
					dev.Fill(dst, 0)
				}
			} else {
				// dx = g W
				dev.Gemm(GemmArgs{M: rows, N: in, K: out, Alpha: 1, Beta: beta,
					A: g, LdA: out, B: w, LdB: in, C: dst, LdC: in, Batch: 1})
			}
		}
	}
	if wants(w) {
		dst, beta := gradTarget(w)
		if dst.size > 0 {
			if rows == 0 {
				if beta == 0 {
					dev.Fill(dst, 0)
				}
			} else {
				// dW = g^T x
				dev.Gemm(GemmArgs{TransA: true, M: out, N: in, K: rows, Alpha: 1, Beta: beta,
					A: g, LdA: out, B: x, LdB: in, C: dst, LdC: in, Batch: 1})
			}
		}
	}
	if wants(b) {
		accumBiasGrad(b, g, rows, out)
	}
}

// accumBiasGrad adds the column sums of g [rows, n] to the gradient of the
// bias b [n] (zeros when there are no rows).
func accumBiasGrad(b, g *Tensor, rows, n int) {
	dst, beta := gradTarget(b)
	if dst.size == 0 {
		return
	}
	if rows == 0 {
		if beta == 0 {
			g.dev.Fill(dst, 0)
		}
		return
	}
	g.dev.ReduceSum(dst, g, 1, rows, n, 1, beta)
}
