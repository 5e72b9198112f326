package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// TestAdamImplementations checks every implementation bit for bit against
// adamGeneric at every length 0..100 and alignment offset, both Adam and
// AdamW, with guard values around the three outputs.
func TestAdamImplementations(t *testing.T) {
	c := &adamConsts{gs: 0.7, wd: 0.01, b1: 0.9, c1: 1 - float32(0.9), b2: 0.999, c2: 1 - float32(0.999),
		lrwd: 1e-3 * 0.01, step: 1e-3 / 0.271, rbc2: 1 / 0.002997, eps: 1e-8}
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(71, 71))
		for _, dec := range []bool{false, true} {
			for n := 0; n <= 100; n++ {
				off := n % 16
				p0, g := randSlice(rng, n, 1), randSlice(rng, n+off, 1)[off:]
				m0, v0 := randSlice(rng, n, 0.1), randSlice(rng, n, 0.1)
				for i := range v0 {
					v0[i] *= v0[i]
				}
				p, cp := guarded(n, off)
				m, cm := guarded(n, (off+1)%16)
				v, cv := guarded(n, (off+2)%16)
				copy(p, p0)
				copy(m, m0)
				copy(v, v0)
				adamSpan(p, g, m, v, c, dec)
				cp(t, "param")
				cm(t, "m")
				cv(t, "v")
				wp, wm, wv := append([]float32(nil), p0...), append([]float32(nil), m0...), append([]float32(nil), v0...)
				adamGeneric(wp, g, wm, wv, c, dec)
				if !sameBits(p, wp) || !sameBits(m, wm) || !sameBits(v, wv) {
					t.Fatalf("decoupled=%v n=%d: differs from the generic loop", dec, n)
				}
			}
		}
	})
}

// FuzzAdam compares the fastest implementation with the generic one.
func FuzzAdam(f *testing.F) {
	f.Add(float32(1e-3), float32(0.9), float32(0.999), float32(0.01), true, 37)
	f.Fuzz(func(t *testing.T, lr, b1, b2, wd float32, dec bool, n int) {
		if n < 0 || n > 300 {
			return
		}
		c := &adamConsts{gs: 1, wd: wd, b1: b1, c1: 1 - b1, b2: b2, c2: 1 - b2, lrwd: lr * wd, step: lr, rbc2: 1, eps: 1e-8}
		rng := rand.New(rand.NewPCG(uint64(n), 1))
		p, g, m, v := randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1)
		p2, m2, v2 := append([]float32(nil), p...), append([]float32(nil), m...), append([]float32(nil), v...)
		adamSpan(p, g, m, v, c, dec)
		adamGeneric(p2, g, m2, v2, c, dec)
		if !sameBits(p, p2) || !sameBits(m, m2) || !sameBits(v, v2) {
			t.Fatalf("implementations differ (lr=%v b1=%v b2=%v wd=%v dec=%v n=%d)", lr, b1, b2, wd, dec, n)
		}
	})
}
