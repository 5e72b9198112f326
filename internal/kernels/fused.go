package kernels

// Fused kernels of a transformer layer: each replaces a sequence of
// elementwise passes over a [rows, n] activation by one pass that works on a
// row at a time while it is in L1.

// BiasGELU adds a bias to every row of a pre-activation and applies the
// exact GELU:
//
//	for r := 0; r < rows; r++ {
//		for j := 0; j < n; j++ {
//			pre[r*n+j] += bias[j]
//			dst[r*n+j] = GELU(pre[r*n+j])   // as GELUForward
//		}
//	}
//
// so pre keeps the biased pre-activation that the backward needs. dst may
// alias pre (then only the activation is left). bias may be nil (no bias).
func BiasGELU(dst, pre, bias []float32, rows, n int) {
	dst, pre = dst[:rows*n], pre[:rows*n]
	if bias != nil {
		bias = bias[:n]
	}
	t := getTask(biasGELURows)
	t.dst, t.a, t.b, t.n = dst, pre, bias, n
	run(t, rows, n, grainFor(n))
}

func biasGELURows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		p := t.a[r*n : r*n+n]
		if t.b != nil {
			addRow(p, p, t.b)
		}
		geluForward(t.dst[r*n:r*n+n], p)
	}
}

// ResidualLayerNorm is the end of a post-LN transformer sublayer,
// LayerNorm(Dropout(x + bias) + res), for each row r:
//
//	for j := 0; j < n; j++ {
//		v := x[r*n+j] + bias[j]                    // no bias when bias is nil
//		if p > 0 {                                 // Dropout with offset 0 over [rows, n]
//			v = DropoutKeep(seed, r*n+j, p) ? v * (1/(1-p)) : 0
//		}
//		s[r*n+j] = v + res[r*n+j]
//	}
//	mean[r], rstd[r], y[r*n:r*n+n] = LayerNorm of s[r*n:r*n+n] with gamma, beta, eps
//
// with the statistics and the normalisation exactly as LayerNorm computes
// them. s, the layer norm's input that its backward needs, may be nil (not
// kept); gamma and beta may be nil. y and s may alias x (not res).
func ResidualLayerNorm(y, s, mean, rstd, x, bias, res, gamma, beta []float32, rows, n int, p float32, seed uint64, eps float32) {
	y, x, res = y[:rows*n], x[:rows*n], res[:rows*n]
	mean, rstd = mean[:rows], rstd[:rows]
	if s != nil {
		s = s[:rows*n]
	}
	if bias != nil {
		bias = bias[:n]
	}
	t := getTask(residualLayerNormRows)
	t.dst, t.s, t.a, t.b, t.c = y, s, x, bias, res
	t.d, t.e, t.g, t.h = mean, rstd, gamma, beta
	t.n, t.f0, t.f1, t.u0 = n, eps, p, seed
	run(t, rows, n, grainFor(n))
}

func residualLayerNormRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		y := t.dst[r*n : r*n+n]
		v := y // the sum is built in y unless s keeps it
		if t.s != nil {
			v = t.s[r*n : r*n+n]
		}
		x := t.a[r*n : r*n+n]
		if t.b != nil {
			addRow(v, x, t.b)
		} else {
			copy(v, x)
		}
		if t.f1 > 0 {
			dropoutSpan(v, v, t.f1, t.u0, uint64(r*n))
		}
		addRow(v, v, t.c[r*n:r*n+n])
		t.d[r], t.e[r] = layerNormRow(y, v, t.g, t.h, t.f0)
	}
}

// addRow is
//
//	for j := range dst {
//		dst[j] = a[j] + b[j]
//	}
//
// dst may alias a or b.
func addRow(dst, a, b []float32) { addRowImpl(dst, a[:len(dst)], b[:len(dst)]) }
