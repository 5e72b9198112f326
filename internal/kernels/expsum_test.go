package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// TestExpSumImplementations checks every implementation against float64 at
// every length 0..100 and alignment offset, with and without a mask, with
// guard values around the output.
func TestExpSumImplementations(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(41, 41))
		for n := 0; n <= 100; n++ {
			for off := 0; off < 16; off += 5 {
				xb := randSlice(rng, n+off, 5)
				x := xb[off:]
				mask := make([]float32, n)
				for j := range mask {
					if rng.IntN(3) > 0 {
						mask[j] = float32(rng.IntN(3)) + 0.5
					}
				}
				for _, m := range [][]float32{nil, mask} {
					scale, sub := float32(0.7), float32(3)
					dst, check := guarded(n, (off+1)%16)
					s := expSum(dst, x, m, scale, sub)
					check(t, "expSum")
					var ws float64
					for j := range x {
						want := 0.0
						w := float64(x[j])*float64(scale) - float64(sub)
						if len(m) == 0 || m[j] != 0 {
							want = math.Exp(w)
						}
						ws += want
						// The argument itself rounds to float32 (error up to
						// one ulp of |w|), which exp turns into a relative error.
						if math.Abs(float64(dst[j])-want) > (4e-7+1.2e-7*math.Abs(w))*want {
							t.Fatalf("n=%d mask=%v: [%d] = %v, want %v", n, m != nil, j, dst[j], want)
						}
					}
					if math.Abs(float64(s)-ws) > 1e-6*ws*float64(1+n/16) {
						t.Fatalf("n=%d: sum %v, want %v", n, s, ws)
					}
				}
			}
		}
	})
}

func TestExpSumSpecial(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	cpu.ForEachImpl(t, func(t *testing.T) {
		for lane := 0; lane < 16; lane++ {
			for _, c := range []struct {
				x    float32
				want float64
			}{{-inf, 0}, {-200, 0}, {-80, math.Exp(-80)}, {0, 1}, {80, math.Exp(80)}, {200, math.Inf(1)}, {inf, math.Inf(1)}, {nan, math.NaN()}} {
				x := make([]float32, 16)
				x[lane] = c.x
				dst := make([]float32, 16)
				expSum(dst, x, nil, 1, 0)
				got := float64(dst[lane])
				switch {
				case math.IsNaN(c.want):
					if !math.IsNaN(got) {
						t.Fatalf("exp(NaN) = %v", got)
					}
				case math.IsInf(c.want, 1) || c.want == 0:
					if got != c.want {
						t.Fatalf("lane %d: exp(%v) = %v, want %v", lane, c.x, got, c.want)
					}
				default:
					if math.Abs(got-c.want) > 4e-7*c.want {
						t.Fatalf("lane %d: exp(%v) = %v, want %v", lane, c.x, got, c.want)
					}
				}
				if dst[(lane+1)%16] != 1 {
					t.Fatalf("neighbour lane changed")
				}
			}
		}
	})
}

// FuzzExpSum compares the fastest implementation with the generic one.
func FuzzExpSum(f *testing.F) {
	f.Add([]byte{0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f, 1, 2, 3, 4}, float32(1), float32(0), true)
	f.Fuzz(func(t *testing.T, data []byte, scale, sub float32, useMask bool) {
		x := make([]float32, len(data)/4)
		for i := range x {
			b := uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24
			x[i] = math.Float32frombits(b)
		}
		var mask []float32
		if useMask {
			mask = make([]float32, len(x))
			for i := range mask {
				mask[i] = float32(data[4*i] & 1)
			}
		}
		a, b := make([]float32, len(x)), make([]float32, len(x))
		expSum(a, x, mask, scale, sub)
		expSumGeneric(b, x, mask, scale, sub)
		for i := range a {
			w := float64(x[i])*float64(scale) - float64(sub)
			if math.IsNaN(float64(b[i])) || math.IsNaN(w) {
				if !math.IsNaN(float64(a[i])) && !(len(mask) > 0 && mask[i] == 0) {
					t.Fatalf("x=%v: fast %v, generic %v", x[i], a[i], b[i])
				}
				continue
			}
			if w > 88 || w < -87 {
				continue // the clamps differ from Exp32's bounds near overflow/underflow
			}
			d := math.Abs(float64(a[i]) - float64(b[i]))
			if d > 1e-6*math.Abs(float64(b[i])) {
				t.Fatalf("x=%v scale=%v sub=%v: fast %v, generic %v", x[i], scale, sub, a[i], b[i])
			}
		}
	})
}
