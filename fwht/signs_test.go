package fwht

import (
	"testing"
	"unsafe"
)

// TestLaneSigns checks the sign tables the base kernels load: +1 where bit k
// of the lane index is clear, -1 where it is set, and 64-byte alignment (a
// misaligned table makes every 512-bit sign load a split load).
func TestLaneSigns(t *testing.T) {
	check := func(name string, p unsafe.Pointer, n, lanes int, at func(int) float64) {
		if a := uintptr(p) % 64; a != 0 {
			t.Errorf("%s at %d mod 64, want 0", name, a)
		}
		if n != lanes*bitsOf(lanes) {
			t.Fatalf("%s has %d entries, want %d", name, n, lanes*bitsOf(lanes))
		}
		for k := 0; k < bitsOf(lanes); k++ {
			for i := 0; i < lanes; i++ {
				want := 1.0
				if i&(1<<k) != 0 {
					want = -1
				}
				if got := at(lanes*k + i); got != want {
					t.Fatalf("%s[%d] (distance %d, lane %d) = %v, want %v", name, lanes*k+i, 1<<k, i, got, want)
				}
			}
		}
	}
	check("laneSigns", unsafe.Pointer(&laneSigns[0]), len(laneSigns), 16, func(i int) float64 { return float64(laneSigns[i]) })
	check("laneSigns64", unsafe.Pointer(&laneSigns64[0]), len(laneSigns64), 8, func(i int) float64 { return laneSigns64[i] })
	for _, off := range []int{0, 1, 7, 15} {
		v := align64(make([]float32, 3+off))
		if uintptr(unsafe.Pointer(&v[0]))%64 != 0 || len(v) != 3+off || cap(v) != 3+off {
			t.Fatalf("align64: %p len %d cap %d", &v[0], len(v), cap(v))
		}
	}
}

// bitsOf returns log2(n) for a power of two n.
func bitsOf(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}
