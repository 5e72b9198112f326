package autograd

// LayerNorm normalises x over its last axis and applies the affine
// transform: y = (x - mean) / sqrt(var + eps) * gamma + beta, with the biased
// variance (as torch.nn.LayerNorm). gamma and beta are [n] or nil.
func LayerNorm(x, gamma, beta *Tensor, eps float32) *Tensor {
	const op = "LayerNorm"
	dev := sameDevice(op, x, gamma, beta)
	if x.ndim < 1 {
		opPanic(op, "needs rank >= 1, got %v", x.Shape())
	}
	rows, n := normRows(op, x, gamma, beta)
	y := result(dev, x.Shape()...)
	mean := newTensor(dev, []int{rows})
	rstd := newTensor(dev, []int{rows})
	if y.size > 0 {
		dev.LayerNorm(y, mean, rstd, x, gamma, beta, rows, n, eps)
	}
	if needsGrad(x, gamma, beta) {
		nd := record(y, layerNormBackward, x, gamma, beta)
		nd.aux[0], nd.aux[1] = mean, rstd
		nd.ints[0], nd.ints[1] = rows, n
	} else {
		mean.free()
		rstd.free()
	}
	return y
}

// normRows checks that each of the parameters (gamma, beta, a bias) is [n]
// or nil for n x's last dimension, and returns the shape [rows, n] that x
// is normalised as (rank >= 1 checked by the caller).
func normRows(op string, x *Tensor, params ...*Tensor) (rows, n int) {
	n = x.Dim(-1)
	for _, p := range params {
		if p != nil && (p.ndim != 1 || p.shape[0] != n) {
			opPanic(op, "parameter %q %v does not match x %v", p.name, p.Shape(), x.Shape())
		}
	}
	if n > 0 {
		rows = x.size / n
	}
	return rows, n
}

// layerNormGrads computes the gradients of LayerNorm's input x (when
// wantX), gamma and beta for the output gradient g: new temporaries, nil for
// those not wanted, zeros for empty shapes.
func layerNormGrads(g, x, mean, rstd, gamma *Tensor, rows, n int, wantX, wantGamma, wantBeta bool) (dx, dg, db *Tensor) {
	dev := g.dev
	if wantX {
		dx = temp(dev, x.Shape()...)
	}
	if wantGamma {
		dg = temp(dev, n)
	}
	if wantBeta {
		db = temp(dev, n)
	}
	if rows == 0 || n == 0 {
		for _, t := range [3]*Tensor{dx, dg, db} {
			if t != nil && t.size > 0 {
				dev.Fill(t, 0)
			}
		}
	} else {
		dev.LayerNormBackward(dx, dg, db, g, x, mean, rstd, gamma, rows, n)
	}
	return dx, dg, db
}

func layerNormBackward(nd *node, g *Tensor) {
	x, gamma, beta := nd.in[0], nd.in[1], nd.in[2]
	mean, rstd := nd.aux[0], nd.aux[1]
	rows, n := nd.ints[0], nd.ints[1]
	dx, dg, db := layerNormGrads(g, x, mean, rstd, gamma, rows, n, wants(x), wants(gamma), wants(beta))
	if dx != nil {
		accumGrad(x, dx)
	}
	if dg != nil {
		accumGrad(gamma, dg)
	}
	if db != nil {
		accumGrad(beta, db)
	}
}
