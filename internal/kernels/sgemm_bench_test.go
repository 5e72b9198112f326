package kernels

import (
	"fmt"
	"testing"

	"github.com/idim-go/idim/internal/gemm"
)

// BenchmarkSgemm is C = A*B for the sizes named in issue 3, on 1 and 2
// workers, reporting GFLOP/s. The GEMM itself lives in internal/gemm,
// whose BenchmarkSgemm (same names, plus best-call and per-CPU-second
// figures) bench/openblas/compare.sh runs side by side with OpenBLAS.
func BenchmarkSgemm(b *testing.B) {
	for _, s := range [][3]int{
		{768, 768, 768}, {3072, 768, 768}, {768, 3072, 768},
		{768, 768, 3072}, {1024, 3072, 768}, {1024, 768, 3072},
	} {
		m, n, k := s[0], s[1], s[2]
		a := make([]float32, m*k)
		bm := make([]float32, k*n)
		c := make([]float32, m*n)
		for i := range a {
			a[i] = float32(i%13-6) / 8
		}
		for i := range bm {
			bm[i] = float32(i%11-5) / 8
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%dx%d/threads=%d", m, n, k, threads), func(b *testing.B) {
				gemm.SgemmThreads(threads, false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
				b.SetBytes(int64(4 * (m*k + k*n + m*n)))
				for b.Loop() {
					gemm.SgemmThreads(threads, false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
				}
				b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
