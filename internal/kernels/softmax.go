package kernels

import "math"

// Softmax is, for each of the rows of length n,
//
//	m := max(x[r,:])
//	dst[r,j] = exp(x[r,j]-m) / sum_j exp(x[r,j]-m)
//
// dst may alias x.
func Softmax(dst, x []float32, rows, n int) {
	t := getTask(softmaxRows)
	t.dst, t.a, t.n = dst, x, n
	run(t, rows, n, grainFor(n))
}

func softmaxRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		softmaxRow(t.dst[r*n:r*n+n], t.a[r*n:r*n+n])
	}
}

// rowMax is the maximum of x (-Inf for an empty row); a NaN element may be
// skipped, since the exponentials that follow turn it into a NaN row.
func rowMax(x []float32) float32 { return maxScaled(x, nil, 1) }

func softmaxRow(dst, x []float32) {
	x = x[:len(dst)]
	m := rowMax(x)
	scaleInPlace(dst, 1/expSum(dst, x, nil, 1, m))
}

// LogSoftmax is, for each of the rows of length n,
//
//	m := max(x[r,:])
//	dst[r,j] = x[r,j] - m - log(sum_j exp(x[r,j]-m))
//
// dst may alias x.
func LogSoftmax(dst, x []float32, rows, n int) {
	t := getTask(logSoftmaxRows)
	t.dst, t.a, t.n = dst, x, n
	run(t, rows, n, grainFor(n))
}

func logSoftmaxRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		x := t.a[r*n : r*n+n]
		dst := t.dst[r*n : r*n+n]
		lse := logSumExp(x)
		for j, v := range x {
			dst[j] = v - lse
		}
	}
}

// logSumExp is log(sum exp(x)) computed stably: the exponentials go
// through expSum in chunks of 256 (a stack buffer), the chunk sums are added
// in float64.
func logSumExp(x []float32) float32 {
	m := rowMax(x)
	if math.IsInf(float64(m), -1) {
		return m
	}
	var buf [256]float32
	var s float64
	for len(x) > 0 {
		k := min(len(x), len(buf))
		s += float64(expSum(buf[:k], x[:k], nil, 1, m))
		x = x[k:]
	}
	return m + float32(math.Log(s))
}

// SoftmaxBackward is, for y = softmax(x) and each row of length n,
//
//	d := sum_j dy[r,j]*y[r,j]
//	dx[r,j] = alpha * y[r,j] * (dy[r,j] - d)
//
// dx may alias dy.
func SoftmaxBackward(dx, y, dy []float32, rows, n int, alpha float32) {
	t := getTask(softmaxBackwardRows)
	t.dst, t.a, t.b, t.n, t.f0 = dx, y, dy, n, alpha
	run(t, rows, n, grainFor(n))
}

func softmaxBackwardRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		y := t.a[r*n : r*n+n]
		dy := t.b[r*n : r*n+n]
		dx := t.dst[r*n : r*n+n]
		softmaxGradRow(dx, y, dy, dot(y, dy), t.f0)
	}
}

// LogSoftmaxBackward is, for y = log_softmax(x) and each row of length n,
//
//	s := sum_j dy[r,j]
//	dx[r,j] = dy[r,j] - exp(y[r,j]) * s
//
// dx may alias dy.
func LogSoftmaxBackward(dx, y, dy []float32, rows, n int) {
	t := getTask(logSoftmaxBackwardRows)
	t.dst, t.a, t.b, t.n = dx, y, dy, n
	run(t, rows, n, grainFor(n))
}

func logSoftmaxBackwardRows(t *task, lo, hi int) {
	n := t.n
	for r := lo; r < hi; r++ {
		y := t.a[r*n : r*n+n]
		dy := t.b[r*n : r*n+n]
		dx := t.dst[r*n : r*n+n]
		var s float32
		for _, v := range dy {
			s += v
		}
		for j, v := range y {
			dx[j] = dy[j] - Exp32(v)*s
		}
	}
}

// MaskedSoftmax is the attention softmax over scores x of shape
// [batch, heads, q, k] with a key mask of shape [batch, k]:
//
//	for each row (b, h, i):
//		s[j] = scale*x[b,h,i,j]  where mask[b,j] != 0, excluded otherwise
//		dst[b,h,i,:] = softmax(s) (0 at excluded j)
//
// A row whose keys are all masked gets the uniform distribution 1/k, which is
// what adding float32's lowest value to every score (HF transformers) gives.
// mask == nil means no mask. The backward is MaskedSoftmaxBackward.
func MaskedSoftmax(dst, x, mask []float32, batch, heads, q, k int, scale float32) {
	t := getTask(maskedSoftmaxRows)
	t.dst, t.a, t.b = dst, x, mask
	t.n, t.m, t.k, t.f0 = k, heads*q, q, scale
	run(t, batch*heads*q, k, grainFor(k))
}

func maskedSoftmaxRows(t *task, lo, hi int) {
	k, perBatch := t.n, t.m
	scale := t.f0
	for r := lo; r < hi; r++ {
		x := t.a[r*k : r*k+k]
		dst := t.dst[r*k : r*k+k]
		var mask []float32
		if t.b != nil {
			b := r / perBatch
			mask = t.b[b*k : b*k+k]
		}
		m := maxScaled(x, mask, scale)
		if math.IsInf(float64(m), -1) && mask != nil && !anyKept(mask) {
			u := 1 / float32(k)
			for j := range dst {
				dst[j] = u
			}
			continue
		}
		scaleInPlace(dst, 1/expSum(dst, x, mask, scale, m))
	}
}

func anyKept(mask []float32) bool {
	for _, v := range mask {
		if v != 0 {
			return true
		}
	}
	return false
}

// MaskedSoftmaxBackward is the gradient of MaskedSoftmax given its output y:
//
//	for each row (b, h, i):
//		if every mask[b,:] == 0 {
//			dx[b,h,i,:] = 0                  // the output did not depend on x
//		} else {
//			d := sum_j dy[b,h,i,j]*y[b,h,i,j]
//			dx[b,h,i,j] = scale * y[b,h,i,j] * (dy[b,h,i,j] - d)
//		}
//
// (masked entries have y = 0 and get 0). dx may alias dy.
func MaskedSoftmaxBackward(dx, y, dy, mask []float32, batch, heads, q, k int, scale float32) {
	t := getTask(maskedSoftmaxBackwardRows)
	t.dst, t.a, t.b, t.c = dx, y, dy, mask
	t.n, t.m, t.f0 = k, heads*q, scale
	run(t, batch*heads*q, k, grainFor(k))
}

func maskedSoftmaxBackwardRows(t *task, lo, hi int) {
	k, perBatch := t.n, t.m
	for r := lo; r < hi; r++ {
		y := t.a[r*k : r*k+k]
		dy := t.b[r*k : r*k+k]
		dx := t.dst[r*k : r*k+k]
		if b := r / perBatch; t.c != nil && !anyKept(t.c[b*k:b*k+k]) {
			clear(dx)
			continue
		}
		softmaxGradRow(dx, y, dy, dot(y, dy), t.f0)
	}
}
