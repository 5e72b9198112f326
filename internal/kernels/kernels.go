// Package kernels holds the float32 compute kernels of the CPU device other
// than the GEMM (internal/gemm): elementwise arithmetic with broadcasting
// helpers, unary activations and their derivatives, reductions, softmax and
// log-softmax, layer normalisation, dropout with a counter-based mask,
// cross-entropy and the fused Adam update.
//
// Every kernel works on plain slices. The doc comment of each exported
// function is the loop it computes. Row-wise kernels (softmax, layernorm,
// cross-entropy) and long elementwise loops split their work over the
// internal/cpu worker pool when it is large enough to pay for it; the split
// never changes the result, because each output element is computed by one
// worker with the same operation order regardless of the number of threads.
//
// Every kernel has a generic Go version (x_generic.go or the loop in x.go),
// always compiled. The hot ones also have AVX-512 assembly (x_amd64.s):
// GELU forward and backward (also AVX2), dropout, the exp-and-sum pass and
// row primitives of the softmax kernels, layernorm forward and backward,
// column sums and the fused Adam update. The assembly works on whole
// vectors and the Go wrapper finishes the tail; the path is chosen at every
// call from the internal/cpu flags, so `defer cpu.DisableAVX512()()` and
// IDIM_DISABLE=avx512 switch it off. Dropout, column sums, Adam and the
// layernorm parameter sums are bit-identical to their generic versions; the
// others agree within the error bounds their tests state. Other platforms
// and -tags purego use the generic code (x_other.go).
package kernels

import (
	"sync"

	"github.com/idim-go/idim/internal/cpu"
)

// ParallelMin is the number of elements below which a kernel stays on the
// calling goroutine. Tests lower it to exercise the parallel paths.
var ParallelMin = 1 << 15

// task is the one Task type of this package: a function over a range of
// rows plus the operands it needs. Tasks come from a sync.Pool, so launching
// a parallel kernel does not allocate.
type task struct {
	fn         func(t *task, lo, hi int)
	dst, a, b  []float32
	c, d, e    []float32
	g, h, s    []float32
	idx        []int32
	n, m, k    int
	f0, f1, f2 float32
	f3, f4, f5 float32
	u0         uint64
	i0         int32
	flag       bool
	op         int
	dims       [MaxDims]int
	sa, sb     [MaxDims]int
}

func (t *task) Run(_, lo, hi int) { t.fn(t, lo, hi) }

var taskPool = sync.Pool{New: func() any { return new(task) }}

func getTask(fn func(t *task, lo, hi int)) *task {
	t := taskPool.Get().(*task)
	t.fn = fn
	return t
}

func putTask(t *task) {
	*t = task{}
	taskPool.Put(t)
}

// run executes t over [0, rows) with grain rows per chunk, in parallel when
// rows*work (the elements touched) is at least ParallelMin, and returns the
// task to the pool.
func run(t *task, rows, work, grain int) {
	if rows*work >= ParallelMin && rows > 1 {
		cpu.Parallel(rows, grain, 0, t)
	} else if rows > 0 {
		t.fn(t, 0, rows)
	}
	putTask(t)
}

// grainFor is a chunk size (in rows) that gives each chunk at least about
// 4096 elements of work.
func grainFor(work int) int {
	if work <= 0 {
		return 1
	}
	g := 4096 / work
	if g < 1 {
		g = 1
	}
	return g
}
