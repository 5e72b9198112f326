package gemm

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/idim-go/idim/internal/cpu"
)

// benchSizes are the M x N x K products of issue 3 (BERT-base shapes).
var benchSizes = [][3]int{
	{768, 768, 768}, {3072, 768, 768}, {768, 3072, 768},
	{768, 768, 3072}, {1024, 3072, 768}, {1024, 768, 3072},
}

func benchGemm(b *testing.B, threads int, transA, transB bool, m, n, k int) {
	a := make([]float32, m*k)
	bm := make([]float32, k*n)
	c := make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%13-6) / 8
	}
	for i := range bm {
		bm[i] = float32(i%11-5) / 8
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	SgemmThreads(threads, transA, transB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
	b.SetBytes(int64(4 * (m*k + k*n + m*n)))
	b.ResetTimer()
	measure(b, 2*float64(m)*float64(n)*float64(k), func() {
		SgemmThreads(threads, transA, transB, m, n, k, 1, a, lda, bm, ldb, 0, c, n)
	})
}

// measure runs f in the benchmark loop and reports three rates for flop
// floating-point operations per call.
func measure(b *testing.B, flop float64, f func()) {
	best := time.Duration(math.MaxInt64)
	cpu0 := cpuTime()
	for b.Loop() {
		t0 := time.Now()
		f()
		best = min(best, time.Since(t0))
	}
	used := cpuTime() - cpu0
	b.ReportMetric(flop*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	// The fastest single call: on a machine shared with other work this is
	// the figure least disturbed by time slicing.
	b.ReportMetric(flop/best.Seconds()/1e9, "best-GFLOP/s")
	// Work per second of CPU time summed over all threads (per core): blind
	// to time slicing, and to how well the work was shared.
	if used > 0 {
		b.ReportMetric(flop*float64(b.N)/used.Seconds()/1e9, "GFLOP/cpu-s")
	}
}

// BenchmarkSgemm is C = A*B for the sizes of issue 3 on 1 and 2 workers.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range benchSizes {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%dx%d/threads=%d", s[0], s[1], s[2], threads), func(b *testing.B) {
				benchGemm(b, threads, false, false, s[0], s[1], s[2])
			})
		}
	}
}

// BenchmarkSgemmTrans covers the transposed operands of a linear layer
// (x W^T) and its backward passes (dX = dY W, dW = dY^T X).
func BenchmarkSgemmTrans(b *testing.B) {
	const m, n, k = 1024, 768, 768
	for _, tr := range []struct {
		name   string
		ta, tb bool
	}{{"NN", false, false}, {"NT", false, true}, {"TN", true, false}, {"TT", true, true}} {
		b.Run(fmt.Sprintf("%s/%dx%dx%d/threads=1", tr.name, m, n, k), func(b *testing.B) {
			benchGemm(b, 1, tr.ta, tr.tb, m, n, k)
		})
	}
}

// BenchmarkSgemmBatched is attention-shaped: 12 heads of 128x128x64.
func BenchmarkSgemmBatched(b *testing.B) {
	const m, n, k, batch = 128, 128, 64, 12
	a := make([]float32, batch*m*k)
	bm := make([]float32, batch*k*n)
	c := make([]float32, batch*m*n)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("%dx%dx%dx%d/threads=%d", batch, m, n, k, threads), func(b *testing.B) {
			measure(b, 2*float64(batch*m*n*k), func() {
				SgemmBatched(threads, false, true, m, n, k, 1, a, k, m*k, bm, k, n*k, 0, c, n, m*n, batch)
			})
		})
	}
}

// BenchmarkSgemmSmall is single products of the sizes attention and small
// layers produce, on one worker.
func BenchmarkSgemmSmall(b *testing.B) {
	for _, s := range [][3]int{{64, 64, 64}, {128, 128, 64}, {128, 64, 128}, {128, 768, 768}} {
		b.Run(fmt.Sprintf("%dx%dx%d/threads=1", s[0], s[1], s[2]), func(b *testing.B) {
			benchGemm(b, 1, false, true, s[0], s[1], s[2])
		})
	}
}

// BenchmarkKernel runs each micro-kernel alone on packed slivers that stay
// in L1: the ceiling for the whole product.
func BenchmarkKernel(b *testing.B) {
	for _, im := range cpu.Impls() {
		restore := im.Select()
		kern := pickKernel()
		restore()
		const k = 256
		a := make([]float32, kern.mr*k)
		bm := make([]float32, kern.nr*k)
		c := make([]float32, kern.mr*kern.nr)
		b.Run(fmt.Sprintf("%s/%dx%dx%d", kern.name, kern.mr, kern.nr, k), func(b *testing.B) {
			measure(b, 2*float64(kern.mr*kern.nr*k), func() { kern.fn(k, a, bm, c, kern.nr, 1, 1) })
		})
	}
}
