package cpu

import (
	"runtime"
	"sync/atomic"
	"testing"
)

func TestDisableRestores(t *testing.T) {
	a2, a512, neon := HasAVX2, HasAVX512, HasNEON
	func() {
		defer DisableAVX2()()
		if HasAVX2 || HasAVX512 {
			t.Fatalf("after DisableAVX2: HasAVX2=%v HasAVX512=%v", HasAVX2, HasAVX512)
		}
	}()
	func() {
		defer DisableAll()()
		if HasAVX2 || HasAVX512 || HasNEON {
			t.Fatal("DisableAll left a feature on")
		}
		if got := Impls(); len(got) != 1 || got[0].Name != "generic" {
			t.Fatalf("Impls with everything off = %v", got)
		}
	}()
	if HasAVX2 != a2 || HasAVX512 != a512 || HasNEON != neon {
		t.Fatal("restore did not bring the flags back")
	}
}

func TestApplyDisable(t *testing.T) {
	defer DisableAll()() // restores everything afterwards
	HasAVX2, HasAVX512, HasNEON = true, true, true
	if err := applyDisable("avx512, neon"); err != nil {
		t.Fatal(err)
	}
	if !HasAVX2 || HasAVX512 || HasNEON {
		t.Fatalf("got avx2=%v avx512=%v neon=%v", HasAVX2, HasAVX512, HasNEON)
	}
	if err := applyDisable("avx2,bogus"); err == nil {
		t.Fatal("unknown feature accepted")
	}
	if HasAVX2 {
		t.Fatal("avx2 still on")
	}
}

func TestForEachImplSelects(t *testing.T) {
	var names []string
	ForEachImpl(t, func(t *testing.T) {
		names = append(names, Best())
	})
	want := Impls()
	if len(names) != len(want) {
		t.Fatalf("ran %d subtests, want %d", len(names), len(want))
	}
	for i := range want {
		if names[i] != want[i].Name {
			t.Errorf("subtest %d ran with best=%q, want %q", i, names[i], want[i].Name)
		}
	}
	if runtime.GOARCH == "amd64" && hwAVX512 && asmAllowed && len(want) < 3 {
		t.Errorf("AVX-512 machine lists %d implementations", len(want))
	}
}

type countTask struct {
	hits    []atomic.Int32
	workers [64]atomic.Int32
}

func (c *countTask) Run(worker, lo, hi int) {
	c.workers[worker].Add(1)
	for i := lo; i < hi; i++ {
		c.hits[i].Add(1)
	}
}

func TestParallelCoversOnce(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000, 1001} {
		for _, grain := range []int{1, 3, 16, 5000} {
			c := &countTask{hits: make([]atomic.Int32, n)}
			Parallel(n, grain, 0, c)
			for i := range c.hits {
				if c.hits[i].Load() != 1 {
					t.Fatalf("n=%d grain=%d: index %d ran %d times", n, grain, i, c.hits[i].Load())
				}
			}
			for w := Workers(); w < len(c.workers); w++ {
				if c.workers[w].Load() != 0 {
					t.Fatalf("worker id %d >= Workers()=%d used", w, Workers())
				}
			}
		}
	}
}

func TestParallelNested(t *testing.T) {
	var total atomic.Int64
	ParallelFor(8, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			ParallelFor(100, 1, func(lo, hi int) { total.Add(int64(hi - lo)) })
		}
	})
	if total.Load() != 800 {
		t.Fatalf("nested total = %d, want 800", total.Load())
	}
}

func TestParallelNoAlloc(t *testing.T) {
	c := &countTask{hits: make([]atomic.Int32, 4096)}
	Parallel(4096, 64, 0, c) // start the pool
	allocs := testing.AllocsPerRun(100, func() { Parallel(4096, 64, 0, c) })
	if allocs != 0 {
		t.Fatalf("Parallel allocates %.1f times per call", allocs)
	}
}

func BenchmarkParallelOverhead(b *testing.B) {
	c := &countTask{hits: make([]atomic.Int32, 1024)}
	for b.Loop() {
		Parallel(1024, 1, 0, c)
	}
}
