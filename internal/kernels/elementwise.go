package kernels

import (
	"fmt"
	"math"
)

// BinaryOp names an elementwise arithmetic operation.
type BinaryOp int

// The binary operations.
const (
	Add BinaryOp = iota // a + b
	Sub                 // a - b
	Mul                 // a * b
	Div                 // a / b
)

func (op BinaryOp) String() string {
	switch op {
	case Add:
		return "add"
	case Sub:
		return "sub"
	case Mul:
		return "mul"
	case Div:
		return "div"
	}
	return fmt.Sprintf("BinaryOp(%d)", int(op))
}

// Binary is
//
//	for i := range dst {
//		dst[i] = a[i] op b[i]
//	}
//
// a and b must be at least len(dst) long. dst may alias a or b.
func Binary(op BinaryOp, dst, a, b []float32) {
	a = a[:len(dst)]
	b = b[:len(dst)]
	switch op {
	case Add:
		addRowImpl(dst, a, b) // AVX-512 where available (same sums)
	case Sub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case Mul:
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	case Div:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	}
}

// BinaryScalarB is
//
//	for i := range dst {
//		dst[i] = a[i] op s
//	}
func BinaryScalarB(op BinaryOp, dst, a []float32, s float32) {
	a = a[:len(dst)]
	switch op {
	case Add:
		for i := range dst {
			dst[i] = a[i] + s
		}
	case Sub:
		for i := range dst {
			dst[i] = a[i] - s
		}
	case Mul:
		for i := range dst {
			dst[i] = a[i] * s
		}
	case Div:
		for i := range dst {
			dst[i] = a[i] / s
		}
	}
}

// BinaryScalarA is
//
//	for i := range dst {
//		dst[i] = s op b[i]
//	}
func BinaryScalarA(op BinaryOp, dst []float32, s float32, b []float32) {
	b = b[:len(dst)]
	switch op {
	case Add:
		for i := range dst {
			dst[i] = s + b[i]
		}
	case Sub:
		for i := range dst {
			dst[i] = s - b[i]
		}
	case Mul:
		for i := range dst {
			dst[i] = s * b[i]
		}
	case Div:
		for i := range dst {
			dst[i] = s / b[i]
		}
	}
}

// MaxDims is the largest number of (merged) dimensions BinaryStrided takes.
const MaxDims = 8

// BinaryStrided is the broadcasting form of Binary. dst is contiguous with
// shape dims; a and b are read with the element strides sa and sb (0 on a
// broadcast dimension):
//
//	for every index (i0, ..., iN) of dims:
//		dst[flat(i)] = a[sum(i_d*sa[d])] op b[sum(i_d*sb[d])]
//
// The innermost strides must be 0 or 1. len(dims) <= MaxDims.
func BinaryStrided(op BinaryOp, dst []float32, dims []int, a []float32, sa []int, b []float32, sb []int) {
	nd := len(dims)
	if nd == 0 {
		if len(dst) > 0 {
			Binary(op, dst[:1], a[:1], b[:1])
		}
		return
	}
	inner := dims[nd-1]
	outer := 1
	for _, d := range dims[:nd-1] {
		outer *= d
	}
	if outer == 0 || inner == 0 {
		return
	}
	var dd, da, db [MaxDims]int
	if outer < 8 && outer*inner >= ParallelMin && inner%512 == 0 && nd < MaxDims {
		// Few long rows: cut each into pieces of 512 so the rows can be
		// spread over workers.
		copy(dd[:], dims)
		copy(da[:], sa)
		copy(db[:], sb)
		dd[nd-1], dd[nd] = inner/512, 512
		da[nd-1], da[nd] = sa[nd-1]*512, sa[nd-1]
		db[nd-1], db[nd] = sb[nd-1]*512, sb[nd-1]
		nd++
		dims, sa, sb = dd[:nd], da[:nd], db[:nd]
		outer *= inner / 512
		inner = 512
	}
	t := getTask(binaryStridedRows)
	t.dst, t.a, t.b = dst, a, b
	t.op = int(op)
	t.n = nd
	t.k = inner
	copy(t.dims[:], dims)
	copy(t.sa[:], sa)
	copy(t.sb[:], sb)
	run(t, outer, inner, grainFor(inner))
}

// binaryStridedRows does the rows [lo, hi) of BinaryStrided, a row being
// one run of the innermost dimension.
func binaryStridedRows(t *task, lo, hi int) {
	nd, inner := t.n, t.k
	op := BinaryOp(t.op)
	var idx [MaxDims]int
	// Decompose lo into the outer multi-index.
	r := lo
	for d := nd - 2; d >= 0; d-- {
		idx[d] = r % t.dims[d]
		r /= t.dims[d]
	}
	ia, ib := 0, 0
	for d := 0; d < nd-1; d++ {
		ia += idx[d] * t.sa[d]
		ib += idx[d] * t.sb[d]
	}
	sai, sbi := t.sa[nd-1], t.sb[nd-1]
	for row := lo; row < hi; row++ {
		out := t.dst[row*inner : row*inner+inner]
		switch {
		case sai == 1 && sbi == 1:
			Binary(op, out, t.a[ia:ia+inner], t.b[ib:ib+inner])
		case sai == 1:
			BinaryScalarB(op, out, t.a[ia:ia+inner], t.b[ib])
		case sbi == 1:
			BinaryScalarA(op, out, t.a[ia], t.b[ib:ib+inner])
		default:
			v := t.a[ia]
			w := t.b[ib]
			var x float32
			switch op {
			case Add:
				x = v + w
			case Sub:
				x = v - w
			case Mul:
				x = v * w
			case Div:
				x = v / w
			}
			for i := range out {
				out[i] = x
			}
		}
		// Advance the outer multi-index by one.
		for d := nd - 2; d >= 0; d-- {
			idx[d]++
			ia += t.sa[d]
			ib += t.sb[d]
			if idx[d] < t.dims[d] {
				break
			}
			ia -= idx[d] * t.sa[d]
			ib -= idx[d] * t.sb[d]
			idx[d] = 0
		}
	}
}

// Axpy is
//
//	for i := range y {
//		y[i] += alpha * x[i]
//	}
func Axpy(alpha float32, x, y []float32) {
	if len(y) >= ParallelMin {
		t := getTask(axpyRange)
		t.a, t.dst, t.f0 = x, y, alpha
		run(t, len(y), 1, 4096)
		return
	}
	axpy(alpha, x, y)
}

func axpyRange(t *task, lo, hi int) { axpy(t.f0, t.a[lo:hi], t.dst[lo:hi]) }

func axpy(alpha float32, x, y []float32) {
	x = x[:len(y)]
	for i := range y {
		y[i] += alpha * x[i]
	}
}

// Scale is
//
//	for i := range dst {
//		dst[i] = alpha * x[i]
//	}
//
// dst may alias x.
func Scale(alpha float32, dst, x []float32) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = alpha * x[i]
	}
}

// Fill is
//
//	for i := range dst {
//		dst[i] = v
//	}
//
// Zero fills use the runtime's memory clearing; long fills are split over
// the worker pool.
func Fill(dst []float32, v float32) {
	if len(dst) >= 4*ParallelMin {
		t := getTask(fillRange)
		t.dst, t.f0 = dst, v
		run(t, len(dst), 1, 1<<16)
		return
	}
	fill(dst, v)
}

func fillRange(t *task, lo, hi int) { fill(t.dst[lo:hi], t.f0) }

func fill(dst []float32, v float32) {
	if v == 0 && !math.Signbit(float64(v)) {
		clear(dst)
		return
	}
	for i := range dst {
		dst[i] = v
	}
}
