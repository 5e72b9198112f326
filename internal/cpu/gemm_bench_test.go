//go:build idimbench && unix

// Benchmarks of the pool's poll window on real callers. They import
// internal/gemm, which imports this package, so they sit behind a build tag
// to keep this package's tests independent of gemm:
//
//	go test -tags idimbench -run XXX -bench GemmSpin -count 6 ./internal/cpu
package cpu_test

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/idim-go/idim/internal/cpu"
	"github.com/idim-go/idim/internal/gemm"
)

// BenchmarkGemmSpin is C = A*B on two workers with the pool parking at once
// (spin=0us) and polling (the default window and 200us), reporting GFLOP/s.
// Sub-benchmarks alternate under -count.
func BenchmarkGemmSpin(b *testing.B) {
	for _, s := range [][3]int{{128, 128, 128}, {256, 256, 256}, {768, 768, 768}} {
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
		for _, spin := range []time.Duration{0, cpu.DefaultSpin, 200 * time.Microsecond} {
			b.Run(fmt.Sprintf("%dx%dx%d/threads=2/spin=%dus", m, n, k, spin/time.Microsecond), func(b *testing.B) {
				defer cpu.SetSpin(spin)()
				gemm.SgemmThreads(2, false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
				cpu0 := cpuTime()
				for b.Loop() {
					gemm.SgemmThreads(2, false, false, m, n, k, 1, a, k, bm, n, 0, c, n)
				}
				used := cpuTime() - cpu0
				b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-us/op")
			})
		}
	}
}

// cpuTime is the user and system time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
