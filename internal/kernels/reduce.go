package kernels

// Sum is
//
//	for _, v := range x {
//		s += float64(v)
//	}
func Sum(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// SumSquares is
//
//	for _, v := range x {
//		s += float64(v) * float64(v)
//	}
func SumSquares(x []float32) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a, b, c, d := float64(x[i]), float64(x[i+1]), float64(x[i+2]), float64(x[i+3])
		s0 += a * a
		s1 += b * b
		s2 += c * c
		s3 += d * d
	}
	for ; i < len(x); i++ {
		a := float64(x[i])
		s0 += a * a
	}
	return (s0 + s1) + (s2 + s3)
}

// ReduceSum sums the middle axis of src viewed as [outer, n, inner]:
//
//	for o := 0; o < outer; o++ {
//		for i := 0; i < inner; i++ {
//			var s float64
//			for j := 0; j < n; j++ {
//				s += src[(o*n+j)*inner+i]
//			}
//			dst[o*inner+i] = alpha*s + beta*dst[o*inner+i]   // beta == 0: dst is not read
//		}
//	}
//
// The sums are accumulated in float64.
func ReduceSum(dst, src []float32, outer, n, inner int, alpha, beta float32) {
	if outer*inner == 0 {
		return
	}
	if inner == 1 {
		t := getTask(reduceRows)
		t.dst, t.a, t.n, t.f0, t.f1 = dst, src, n, alpha, beta
		run(t, outer, n, grainFor(n))
		return
	}
	blocks := (inner + reduceBlock - 1) / reduceBlock
	t := getTask(reduceCols)
	t.dst, t.a, t.n, t.k, t.m, t.f0, t.f1 = dst, src, n, inner, blocks, alpha, beta
	run(t, outer*blocks, n*reduceBlock, 1)
}

// reduceBlock is the width of the column blocks of ReduceSum: 64 float64
// accumulators fit in eight AVX-512 registers.
const reduceBlock = 64

func reduceRows(t *task, lo, hi int) {
	n := t.n
	for o := lo; o < hi; o++ {
		s := float32(Sum(t.a[o*n : o*n+n]))
		if t.f1 == 0 {
			t.dst[o] = t.f0 * s
		} else {
			t.dst[o] = t.f0*s + t.f1*t.dst[o]
		}
	}
}

func reduceCols(t *task, lo, hi int) {
	n, inner, blocks := t.n, t.k, t.m
	var acc [reduceBlock]float64
	for u := lo; u < hi; u++ {
		o, blk := u/blocks, u%blocks
		c0 := blk * reduceBlock
		w := min(reduceBlock, inner-c0)
		a := acc[:w]
		clear(a)
		if n > 0 {
			base := o * n * inner
			colSums(&acc, t.a[base+c0:base+(n-1)*inner+c0+w], inner, n, w)
		}
		out := t.dst[o*inner+c0 : o*inner+c0+w]
		if t.f1 == 0 {
			for i, v := range a {
				out[i] = t.f0 * float32(v)
			}
		} else {
			for i, v := range a {
				out[i] = t.f0*float32(v) + t.f1*out[i]
			}
		}
	}
}

// colSumsGeneric adds rows rows of w values, ld apart, into acc[:w] in
// float64.
func colSumsGeneric(acc *[reduceBlock]float64, src []float32, ld, rows, w int) {
	a := acc[:w]
	for j := 0; j < rows; j++ {
		row := src[j*ld : j*ld+w]
		for i, v := range row {
			a[i] += float64(v)
		}
	}
}
