package kernels

import "math"

// LayerNorm normalises each of the rows of length n of x:
//
//	mean[r] = sum_j x[r,j] / n
//	rstd[r] = 1 / sqrt(sum_j (x[r,j]-mean[r])^2 / n + eps)
//	y[r,j] = (x[r,j]-mean[r]) * rstd[r] * gamma[j] + beta[j]
//
// The statistics are accumulated in float64. gamma and beta may be nil (no
// scale, no shift). mean and rstd (length rows) are kept for the backward.
func LayerNorm(y, mean, rstd, x, gamma, beta []float32, rows, n int, eps float32) {
	t := getTask(layerNormRows)
	t.dst, t.a, t.b, t.c, t.d, t.e, t.n, t.f0 = y, x, gamma, beta, mean, rstd, n, eps
	run(t, rows, n, grainFor(n))
}

func layerNormRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		t.d[r], t.e[r] = layerNormRow(t.dst[r*n:r*n+n], t.a[r*n:r*n+n], t.b, t.c, t.f0)
	}
}

// layerNormRowGeneric normalises one row and returns its mean and rstd.
func layerNormRowGeneric(y, x, g, b []float32, eps float32) (mean, rstd float32) {
	n := len(y)
	x = x[:n]
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	mu := s / float64(n)
	var q float64
	for _, v := range x {
		d := float64(v) - mu
		q += d * d
	}
	rs := 1 / math.Sqrt(q/float64(n)+float64(eps))
	// The normalisation itself runs in float64 too: with a large mean and
	// a small spread, x - mean in float32 would lose digits.
	switch {
	case g != nil && b != nil:
		g, b = g[:n], b[:n]
		for j, v := range x {
			y[j] = float32((float64(v)-mu)*rs*float64(g[j]) + float64(b[j]))
		}
	case g != nil:
		g = g[:n]
		for j, v := range x {
			y[j] = float32((float64(v) - mu) * rs * float64(g[j]))
		}
	default:
		for j, v := range x {
			y[j] = float32((float64(v) - mu) * rs)
		}
		if b != nil {
			b = b[:n]
			for j := range y {
				y[j] += b[j]
			}
		}
	}
	return float32(mu), float32(rs)
}

// LayerNormBackward is the gradient of LayerNorm. With xhat = (x-mean)*rstd
// and g = dy*gamma (g = dy when gamma is nil), for each row:
//
//	dx[r,j] = rstd[r] * (g[r,j] - mean_j(g[r,:]) - xhat[r,j]*mean_j(g[r,:]*xhat[r,:]))
//	dgamma[j] = sum_r dy[r,j]*xhat[r,j]     // when dgamma != nil (float64 sum)
//	dbeta[j] = sum_r dy[r,j]                // when dbeta != nil (float64 sum)
//
// dx, dgamma and dbeta are overwritten; dx may be nil.
func LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, n int) {
	if dx != nil {
		t := getTask(layerNormBackwardRows)
		t.dst, t.a, t.b, t.c, t.d, t.e, t.n = dx, x, gamma, dy, mean, rstd, n
		run(t, rows, n, grainFor(n))
	}
	if dgamma != nil || dbeta != nil {
		blocks := (n + lnBlock - 1) / lnBlock
		t := getTask(layerNormParamCols)
		t.dst, t.b, t.a, t.c, t.d, t.e, t.n, t.k = dgamma, dbeta, x, dy, mean, rstd, n, rows
		run(t, blocks, rows*lnBlock, 1)
	}
}

const lnBlock = 64

func layerNormBackwardRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		layerNormGradRow(t.dst[r*n:r*n+n], t.a[r*n:r*n+n], t.c[r*n:r*n+n], t.b, t.d[r], t.e[r])
	}
}

// layerNormGradRowGeneric is the dx part of LayerNormBackward for one row
// (g nil: no scale).
func layerNormGradRowGeneric(dx, x, dy, g []float32, mu, rs float32) {
	n := len(dx)
	x, dy = x[:n], dy[:n]
	fn := float32(n)
	var sg, sgx float32
	if g != nil {
		g = g[:n]
		for j, v := range x {
			gj := dy[j] * g[j]
			sg += gj
			sgx += gj * (v - mu) * rs
		}
		mg, mgx := sg/fn, sgx/fn
		for j, v := range x {
			dx[j] = rs * (dy[j]*g[j] - mg - (v-mu)*rs*mgx)
		}
		return
	}
	for j, v := range x {
		sg += dy[j]
		sgx += dy[j] * (v - mu) * rs
	}
	mg, mgx := sg/fn, sgx/fn
	for j, v := range x {
		dx[j] = rs * (dy[j] - mg - (v-mu)*rs*mgx)
	}
}

func layerNormParamCols(t *task, lo, hi int) {
	n, rows := t.n, t.k
	var ag, ab [lnBlock]float64
	for blk := lo; blk < hi; blk++ {
		c0 := blk * lnBlock
		w := min(lnBlock, n-c0)
		g, b := ag[:w], ab[:w]
		clear(g)
		clear(b)
		if rows > 0 {
			end := (rows-1)*n + c0 + w
			lnParamSums(&ag, &ab, t.a[c0:end], t.c[c0:end], n, rows, w, t.d[:rows], t.e[:rows])
		}
		if t.dst != nil {
			for i, v := range g {
				t.dst[c0+i] = float32(v)
			}
		}
		if t.b != nil {
			for i, v := range b {
				t.b[c0+i] = float32(v)
			}
		}
	}
}

// lnParamSumsGeneric adds, for rows rows of w columns ld apart,
// dy*(x-mean)*rstd into ag and dy into ab, in float64.
func lnParamSumsGeneric(ag, ab *[lnBlock]float64, x, dy []float32, ld, rows, w int, mean, rstd []float32) {
	g, b := ag[:w], ab[:w]
	for r := 0; r < rows; r++ {
		xr := x[r*ld : r*ld+w]
		dr := dy[r*ld : r*ld+w]
		mu, rs := mean[r], rstd[r]
		for i, v := range xr {
			g[i] += float64(dr[i] * (v - mu) * rs)
			b[i] += float64(dr[i])
		}
	}
}
