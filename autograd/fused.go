package autograd

import "slices"

// Fused ops of a transformer layer. Each computes what a short chain of
// ops computes, in fewer passes over the activations: on a device that
// implements FusedDevice in one kernel, elsewhere as the chain of Device
// kernels (so every device runs them).

// FusedDevice is implemented by devices that run the fused kernels of
// LinearGELU and ResidualLayerNorm themselves (the CPU device does). On
// other devices those ops run as a sequence of Device kernels.
type FusedDevice interface {
	// BiasGELU is kernels.BiasGELU: pre += bias (broadcast over rows, bias
	// may be nil), dst = GELU(pre); dst may alias pre.
	BiasGELU(dst, pre, bias *Tensor, rows, n int)
	// ResidualLayerNorm is kernels.ResidualLayerNorm: s = Dropout(x + bias)
	// + res (s may be nil: not kept), y = LayerNorm(s) with mean and rstd.
	ResidualLayerNorm(y, s, mean, rstd, x, bias, res, gamma, beta *Tensor, rows, n int, p float32, seed uint64, eps float32)
}

// LinearGELU returns GELU(Linear(x, w, b)) with the exact GELU, as one op:
// the bias and the activation are applied in one pass over the product, and
// only the pre-activation is kept for the backward (Linear followed by GELU
// keeps it too, plus a second pass). Shapes are Linear's.
func LinearGELU(x, w, b *Tensor) *Tensor {
	const op = "LinearGELU"
	dev := sameDevice(op, x, w, b)
	rows, in, out := linearShape(op, x, w, b)
	var shape [MaxDims]int
	nd := copy(shape[:], x.shape[:x.ndim-1])
	shape[nd] = out
	y := result(dev, shape[:nd+1]...)
	rec := needsGrad(x, w, b)
	pre := y
	if rec {
		pre = newTensor(dev, y.Shape())
	}
	if y.size > 0 {
		if in == 0 {
			dev.Fill(pre, 0)
		} else {
			dev.Gemm(GemmArgs{TransB: true, M: rows, N: out, K: in, Alpha: 1,
				A: x, LdA: in, B: w, LdB: in, C: pre, LdC: out, Batch: 1})
		}
		if f, ok := dev.(FusedDevice); ok {
			f.BiasGELU(y, pre, b, rows, out)
		} else {
			if b != nil {
				dev.Binary(OpAdd, pre, pre, b)
			}
			dev.Unary(OpGELU, y, pre)
		}
	}
	if rec {
		n := record(y, linearGELUBackward, x, w, b)
		n.aux[0] = pre
		n.ints[0], n.ints[1], n.ints[2] = rows, in, out
	}
	return y
}

// linearShape checks Linear's operands and returns rows, in and out.
func linearShape(op string, x, w, b *Tensor) (rows, in, out int) {
	if w.ndim != 2 || x.ndim < 1 {
		opPanic(op, "weight must be [out, in] and x [..., in]; got x %v, weight %v", x.Shape(), w.Shape())
	}
	out, in = w.Dim(0), w.Dim(1)
	if x.Dim(-1) != in {
		opPanic(op, "x %v has %d features, weight %q %v expects %d", x.Shape(), x.Dim(-1), w.name, w.Shape(), in)
	}
	if b != nil && (b.ndim != 1 || b.Dim(0) != out) {
		opPanic(op, "bias %q %v does not match weight %v", b.name, b.Shape(), w.Shape())
	}
	rows = 1
	for _, d := range x.shape[:x.ndim-1] {
		rows *= d
	}
	return rows, in, out
}

func linearGELUBackward(n *node, g *Tensor) {
	pre := n.aux[0]
	if pre.size > 0 {
		// g is the engine's and read by no one else: the pre-activation
		// gradient overwrites it.
		g.dev.UnaryBackward(OpGELU, g, pre, n.out, g)
	}
	linearBackward(n, g)
}

// ResidualLayerNorm returns LayerNorm(Dropout(x + bias, p, seed) + res,
// gamma, beta, eps), the end of a post-LN transformer sublayer (x is the
// sublayer's projection without its bias, res the sublayer's input), as one
// op: one pass over x and res instead of four (bias, dropout, add,
// layernorm), and the gradient of res is the layer norm's input gradient
// itself (no copy). bias, gamma and beta are [n] or nil, x and res have the
// same shape [..., n]; the dropout mask is Dropout's for the same seed on
// x's shape (p == 0: none).
func ResidualLayerNorm(x, bias, res, gamma, beta *Tensor, p float32, seed uint64, eps float32) *Tensor {
	const op = "ResidualLayerNorm"
	dev := sameDevice(op, x, bias, res, gamma, beta)
	if x.ndim < 1 || !slices.Equal(x.Shape(), res.Shape()) {
		opPanic(op, "x %v and res %v must have the same shape [..., n]", x.Shape(), res.Shape())
	}
	if !(p >= 0 && p < 1) {
		opPanic(op, "dropout probability %v not in [0, 1)", p)
	}
	rows, n := normRows(op, x, bias, gamma, beta)
	y := result(dev, x.Shape()...)
	mean := newTensor(dev, []int{rows})
	rstd := newTensor(dev, []int{rows})
	rec := needsGrad(x, bias, res, gamma, beta)
	var s *Tensor
	if rec {
		s = newTensor(dev, x.Shape())
	}
	if y.size > 0 {
		if f, ok := dev.(FusedDevice); ok {
			f.ResidualLayerNorm(y, s, mean, rstd, x, bias, res, gamma, beta, rows, n, p, seed, eps)
		} else {
			v := s
			if v == nil {
				v = temp(dev, x.Shape()...)
			}
			if bias != nil {
				dev.Binary(OpAdd, v, x, bias)
			} else {
				dev.CopyBuffer(v.buf, v.off, x.buf, x.off, x.size)
			}
			if p > 0 {
				dev.Dropout(v, v, p, seed)
			}
			dev.Binary(OpAdd, v, v, res)
			dev.LayerNorm(y, mean, rstd, v, gamma, beta, rows, n, eps)
			if v != s {
				v.free()
			}
		}
	}
	if rec {
		nd := record(y, residualLayerNormBackward, x, bias, res, gamma, beta)
		nd.aux[0], nd.aux[1], nd.aux[2] = s, mean, rstd
		nd.ints[0], nd.ints[1] = rows, n
		nd.f[0] = p
		nd.u = seed
	} else {
		mean.free()
		rstd.free()
	}
	return y
}

func residualLayerNormBackward(nd *node, g *Tensor) {
	x, bias, res, gamma, beta := nd.in[0], nd.in[1], nd.in[2], nd.in[3], nd.in[4]
	s, mean, rstd := nd.aux[0], nd.aux[1], nd.aux[2]
	rows, n := nd.ints[0], nd.ints[1]
	p, seed := nd.f[0], nd.u
	dev := g.dev
	ds, dg, db := layerNormGrads(g, s, mean, rstd, gamma, rows, n, wants(x) || wants(bias) || wants(res), wants(gamma), wants(beta))
	if dg != nil {
		accumGrad(gamma, dg)
	}
	if db != nil {
		accumGrad(beta, db)
	}
	if ds == nil {
		return
	}
	// The gradient of x + bias: ds through the dropout mask.
	dx := ds
	if p > 0 && (wants(x) || wants(bias)) {
		dx = temp(dev, s.Shape()...)
		if dx.size > 0 {
			dev.Dropout(dx, ds, p, seed)
		}
	}
	if wants(bias) {
		accumBiasGrad(bias, dx, rows, n)
	}
	switch {
	case !wants(x):
		if dx != ds {
			dx.free()
		}
	case dx == ds && wants(res):
		addGrad(x, dx, 1) // ds goes to res below
	default:
		accumGrad(x, dx)
		if dx == ds {
			ds = nil
		}
	}
	if ds != nil {
		accumGrad(res, ds) // frees ds when res wants no gradient
	}
}
