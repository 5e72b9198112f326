package fwht

import (
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// BenchmarkTransform: <impl>/float32/n=<n>, single-threaded, in place on the
// same buffer.
func BenchmarkTransform(b *testing.B) {
	type impl struct {
		name  string
		selec func() func()
	}
	impls := []impl{}
	for _, im := range cpu.Impls() {
		impls = append(impls, impl{im.Name, im.Select})
	}
	impls = append(impls, impl{"best", func() func() { return func() {} }})
	for _, im := range impls {
		for lg := 4; lg <= 24; lg++ {
			n := 1 << lg
			b.Run(fmt.Sprintf("%s/float32/n=%d", im.name, n), func(b *testing.B) {
				defer im.selec()()
				x := make([]float32, n)
				for i := range x {
					x[i] = float32(i%7) - 3
				}
				b.SetBytes(int64(4 * n))
				benchLoop(b, x, func() { _ = Transform(x) })
			})
		}
	}
}

// benchLoop runs f (an in-place transform of x) b.N times. H H = n I, so
// after 2k transforms x is n^k times what it was: every 2k calls, with
// n^k <= 2^60, x is scaled back (exactly, by a power of two), off the clock
// for large n where the scaling pass would be visible. Besides ns/op it
// reports cpu-ns/op, the CPU time of the benchmark's thread per call
// (scaling excluded where ns/op excludes it), which time slices given to
// other processes on a loaded machine do not inflate.
func benchLoop(b *testing.B, x []float32, f func()) {
	n := len(x)
	lg := 0
	for 1<<lg < n {
		lg++
	}
	k := 30
	if lg > 0 {
		k = max(1, 60/lg)
	}
	s := float32(1)
	for i := 0; i < k; i++ {
		s /= float32(n)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var off int64 // CPU time spent scaling, off the clock
	t0 := threadCPU()
	i, calls := 0, 0
	for b.Loop() {
		f()
		calls++
		if i++; i == 2*k {
			i = 0
			if n < 1<<16 {
				scale32(x, s)
				continue
			}
			c := threadCPU()
			b.StopTimer()
			scale32(x, s)
			b.StartTimer()
			off += threadCPU() - c
		}
	}
	if t0 != 0 && calls > 0 {
		b.ReportMetric(float64(threadCPU()-t0-off)/float64(calls), "cpu-ns/op")
	}
}

// BenchmarkFastfood: Apply and ApplyT for a d=1000 subspace into tensors of
// n elements (768*768 and 768*3072 are RoBERTa-base weight matrices).
func BenchmarkFastfood(b *testing.B) {
	for _, n := range []int{4096, 1 << 16, 768 * 768, 768 * 3072} {
		f, err := NewFastfood(1, "bench", 1000, n)
		if err != nil {
			b.Fatal(err)
		}
		scratch := make([]float32, f.ScratchLen())
		x := make([]float32, 1000)
		for i := range x {
			x[i] = float32(i%5) - 2
		}
		y := make([]float32, n)
		b.Run(fmt.Sprintf("Apply/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				_ = f.Apply(y, x, scratch)
			}
		})
		b.Run(fmt.Sprintf("ApplyT/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(4 * n))
			for b.Loop() {
				_ = f.ApplyT(x, y, scratch)
			}
		})
	}
}

// BenchmarkTransformFar compares, at the sizes that stream from DRAM, the
// best float32 transform with its far kernels (software prefetch, the
// default from farMin elements on) switched off and on, in one binary:
// run it with -count N and the two alternate.
func BenchmarkTransformFar(b *testing.B) {
	for _, lg := range []int{22, 23, 24} {
		n := 1 << lg
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		for _, on := range []bool{false, true} {
			b.Run(fmt.Sprintf("n=%d/prefetch=%v", n, on), func(b *testing.B) {
				defer func(m int) { farMin = m }(farMin)
				if !on {
					farMin = math.MaxInt
				}
				b.SetBytes(int64(4 * n))
				benchLoop(b, x, func() { _ = Transform(x) })
			})
		}
	}
}
