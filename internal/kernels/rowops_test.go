package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// TestRowOpsImplementations checks each row primitive of every
// implementation against float64 at every length 0..100 and alignment
// offset, with guard values around outputs.
func TestRowOpsImplementations(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(51, 51))
		for n := 0; n <= 100; n++ {
			off := n % 16
			x := randSlice(rng, n+off, 3)[off:]
			y := randSlice(rng, n+3, 1)[3:]
			mask := make([]float32, n)
			for j := range mask {
				mask[j] = float32(rng.IntN(2))
			}
			for _, m := range [][]float32{nil, mask} {
				want := math.Inf(-1)
				for j, v := range x {
					if len(m) == 0 || m[j] != 0 {
						want = math.Max(want, float64(v*0.5))
					}
				}
				if got := maxScaled(x, m, 0.5); float64(got) != want {
					t.Fatalf("n=%d: maxScaled = %v, want %v", n, got, want)
				}
			}
			var wd float64
			for j := range x {
				wd += float64(x[j]) * float64(y[j])
			}
			if got := dot(x, y); math.Abs(float64(got)-wd) > 1e-6*float64(n+1) {
				t.Fatalf("n=%d: dot = %v, want %v", n, got, wd)
			}
			dx, check := guarded(n, (off+7)%16)
			softmaxGradRow(dx, x, y, 0.3, 1.5)
			check(t, "softmaxGradRow")
			for j := range dx {
				want := 1.5 * x[j] * (y[j] - 0.3)
				if math.Float32bits(dx[j]) != math.Float32bits(want) {
					t.Fatalf("n=%d: softmaxGradRow[%d] = %v, want %v", n, j, dx[j], want)
				}
			}
			s, check2 := guarded(n, off)
			copy(s, x)
			scaleInPlace(s, -0.75)
			check2(t, "scaleInPlace")
			for j := range s {
				if s[j] != x[j]*-0.75 {
					t.Fatalf("n=%d: scale[%d]", n, j)
				}
			}
		}
	})
}

// FuzzRowOps compares the fastest implementation with the generic one.
func FuzzRowOps(f *testing.F) {
	f.Add([]byte{0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8}, float32(0.5))
	f.Fuzz(func(t *testing.T, data []byte, scale float32) {
		x := make([]float32, len(data)/4)
		mask := make([]float32, len(x))
		for i := range x {
			b := uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24
			x[i] = math.Float32frombits(b)
			mask[i] = float32(data[4*i] & 1)
		}
		hasNaN := false
		for _, v := range x {
			if v*scale != v*scale {
				hasNaN = true
			}
		}
		for _, m := range [][]float32{nil, mask} {
			a, b := maxScaled(x, m, scale), maxScaledGeneric(x, m, scale)
			if !hasNaN && math.Float32bits(a) != math.Float32bits(b) && !(a == 0 && b == 0) {
				t.Fatalf("maxScaled: fast %v, generic %v", a, b)
			}
		}
		y := make([]float32, len(x))
		for i := range y {
			y[i] = float32(i%5) - 2
		}
		g1, g2 := make([]float32, len(x)), make([]float32, len(x))
		softmaxGradRow(g1, x, y, 0.25, scale)
		softmaxGradRowGeneric(g2, x, y, 0.25, scale)
		if !sameBits(g1, g2) {
			t.Fatal("softmaxGradRow: implementations differ")
		}
	})
}
