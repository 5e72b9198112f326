package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// TestDropoutImplementations checks every implementation bit for bit
// against the definition (DropoutKeep) at every length 0..100, alignment
// offset 0..15 and several counter offsets, seeds and probabilities, with
// guard values around the output.
func TestDropoutImplementations(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(31, 31))
		for _, p := range []float32{0, 1e-7, 0.1, 0.5, 0.9, 0.9999999} {
			for n := 0; n <= 100; n++ {
				off := n % 16
				seed := rng.Uint64()
				base := rng.Uint64() >> uint(rng.IntN(64))
				xb := randSlice(rng, n+off, 1)
				x := xb[off:]
				dst, check := guarded(n, (off+3)%16)
				dropoutSpan(dst, x, p, seed, base)
				check(t, "dropout")
				inv := 1 / (1 - p)
				for i := range x {
					want := float32(0)
					if DropoutKeep(seed, base+uint64(i), p) {
						want = x[i] * inv
					}
					if math.Float32bits(dst[i]) != math.Float32bits(want) {
						t.Fatalf("p=%v n=%d base=%d: [%d] = %v, want %v", p, n, base, i, dst[i], want)
					}
				}
			}
		}
	})
}

func TestDropoutThreshold(t *testing.T) {
	for _, p := range []float32{0, 1e-9, 0.1, 0.25, 0.3, 0.5, 0.999, 0.99999994} {
		th := dropoutThreshold(p)
		for _, k := range []uint64{th - 1, th, th + 1} {
			if k >= 1<<24 || (th == 0 && k == th-1) {
				continue
			}
			u := float32(k) * (1.0 / (1 << 24))
			if (u >= p) != (k >= th) {
				t.Fatalf("p=%v k=%d: u>=p is %v, k>=thresh is %v", p, k, u >= p, k >= th)
			}
		}
	}
}

// FuzzDropout compares the fastest implementation with the generic one.
func FuzzDropout(f *testing.F) {
	f.Add(uint64(1), uint64(0), float32(0.1), 40)
	f.Fuzz(func(t *testing.T, seed, base uint64, p float32, n int) {
		if !(p >= 0 && p < 1) || n < 0 || n > 5000 {
			return
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i) - 7.5
		}
		a, b := make([]float32, n), make([]float32, n)
		dropoutSpan(a, x, p, seed, base)
		dropoutGeneric(b, x, p, seed, base)
		if !sameBits(a, b) {
			t.Fatalf("seed=%d base=%d p=%v n=%d: implementations differ", seed, base, p, n)
		}
	})
}
