package kernels

// GatherRows is
//
//	for i, r := range idx {
//		copy(dst[i*n:(i+1)*n], table[int(r)*n:(int(r)+1)*n])
//	}
func GatherRows(dst, table []float32, idx []int32, n int) {
	t := getTask(gatherRange)
	t.dst, t.a, t.idx, t.n = dst, table, idx, n
	run(t, len(idx), n, grainFor(n))
}

func gatherRange(t *task, lo, hi int) {
	n := t.n
	for i := lo; i < hi; i++ {
		r := int(t.idx[i])
		copy(t.dst[i*n:i*n+n], t.a[r*n:r*n+n])
	}
}

// ScatterAddRows is
//
//	for i, r := range idx {
//		for j := 0; j < n; j++ {
//			dst[int(r)*n+j] += src[i*n+j]
//		}
//	}
//
// Rows are added in index order, so repeated indices give the same sum
// whatever the number of threads (the work is split over columns).
func ScatterAddRows(dst, src []float32, idx []int32, n int) {
	blocks := (n + 255) / 256
	t := getTask(scatterAddCols)
	t.dst, t.a, t.idx, t.n = dst, src, idx, n
	run(t, blocks, len(idx)*256, 1)
}

func scatterAddCols(t *task, lo, hi int) {
	n := t.n
	c0, c1 := lo*256, min(hi*256, n)
	for i, r := range t.idx {
		d := t.dst[int(r)*n+c0 : int(r)*n+c1]
		s := t.a[i*n+c0 : i*n+c1]
		for j, v := range s {
			d[j] += v
		}
	}
}

// CopyRows is
//
//	for r := 0; r < rows; r++ {
//		for c := 0; c < cols; c++ {
//			if accumulate {
//				dst[r*dstLd+c] += src[r*srcLd+c]
//			} else {
//				dst[r*dstLd+c] = src[r*srcLd+c]
//			}
//		}
//	}
func CopyRows(dst []float32, dstLd int, src []float32, srcLd, rows, cols int, accumulate bool) {
	if rows == 0 || cols == 0 {
		return
	}
	t := getTask(copyRowsRange)
	t.dst, t.a, t.n, t.m, t.k, t.flag = dst, src, dstLd, srcLd, cols, accumulate
	run(t, rows, cols, grainFor(cols))
}

func copyRowsRange(t *task, lo, hi int) {
	dLd, sLd, cols := t.n, t.m, t.k
	for r := lo; r < hi; r++ {
		d := t.dst[r*dLd : r*dLd+cols]
		s := t.a[r*sLd : r*sLd+cols]
		if t.flag {
			for j, v := range s {
				d[j] += v
			}
		} else {
			copy(d, s)
		}
	}
}

// Permute writes the contiguous array src of the given shape with its axes
// reordered, so that axis d of dst is axis perm[d] of src:
//
//	dst[i_0, ..., i_{n-1}] = src[j] with j_perm[d] = i_d
//
// len(shape) <= MaxDims. The innermost run of dst is copied with the stride of
// its source axis; a permutation that keeps the last axis in place copies
// whole rows.
func Permute(dst, src []float32, shape []int, perm []int) {
	nd := len(shape)
	total := 1
	for _, d := range shape {
		total *= d
	}
	if total == 0 {
		return
	}
	var sstride [MaxDims]int
	s := 1
	for i := nd - 1; i >= 0; i-- {
		sstride[i] = s
		s *= shape[i]
	}
	t := getTask(permuteRows)
	t.dst, t.a, t.n = dst, src, nd
	for d := 0; d < nd; d++ {
		t.dims[d] = shape[perm[d]]
		t.sa[d] = sstride[perm[d]]
	}
	if nd == 0 {
		dst[0] = src[0]
		putTask(t)
		return
	}
	inner := t.dims[nd-1]
	run(t, total/inner, inner, grainFor(inner))
}

func permuteRows(t *task, lo, hi int) {
	nd := t.n
	inner := t.dims[nd-1]
	is := t.sa[nd-1]
	var idx [MaxDims]int
	r := lo
	for d := nd - 2; d >= 0; d-- {
		idx[d] = r % t.dims[d]
		r /= t.dims[d]
	}
	base := 0
	for d := 0; d < nd-1; d++ {
		base += idx[d] * t.sa[d]
	}
	for row := lo; row < hi; row++ {
		out := t.dst[row*inner : row*inner+inner]
		if is == 1 {
			copy(out, t.a[base:base+inner])
		} else {
			j := base
			for i := range out {
				out[i] = t.a[j]
				j += is
			}
		}
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			base += t.sa[d]
			if idx[d] < t.dims[d] {
				break
			}
			base -= idx[d] * t.sa[d]
			idx[d] = 0
		}
	}
}
