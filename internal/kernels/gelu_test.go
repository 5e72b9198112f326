package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

func geluRef(x float64) (y, d float64) {
	cdf := 0.5 * math.Erfc(-x/math.Sqrt2)
	pdf := math.Exp(-x*x/2) / math.Sqrt(2*math.Pi)
	return x * cdf, cdf + x*pdf
}

// geluTol is the allowed error of GELU at x: Phi's absolute error (3e-7 for
// the float32 AVX-512 code) times |x|, plus float32 rounding.
func geluTol(x, want float64) float64 { return 3e-7*math.Abs(x) + 2e-7*math.Abs(want) + 1e-30 }

// TestGELUImplementations checks every implementation at every length
// 0..100 and every alignment offset 0..15, with guard values around the
// output, against float64.
func TestGELUImplementations(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(21, 21))
		for n := 0; n <= 100; n++ {
			for off := 0; off < 16; off++ {
				xb := randSlice(rng, n+off, 4)
				x := xb[off:]
				dy := randSlice(rng, n, 1)
				y, check := guarded(n, off)
				GELUForward(y, x)
				check(t, "gelu")
				dx, check2 := guarded(n, (off+5)%16)
				GELUBackward(dx, x, dy)
				check2(t, "gelu backward")
				for i := range x {
					wy, wd := geluRef(float64(x[i]))
					if math.Abs(float64(y[i])-wy) > geluTol(float64(x[i]), wy) {
						t.Fatalf("n=%d off=%d: gelu(%v) = %v, want %v", n, off, x[i], y[i], wy)
					}
					wdx := float64(dy[i]) * wd
					if math.Abs(float64(dx[i])-wdx) > 5e-7*math.Abs(float64(dy[i]))*(1+math.Abs(float64(x[i]))) {
						t.Fatalf("n=%d off=%d: gelu'(%v)*%v = %v, want %v", n, off, x[i], dy[i], dx[i], wdx)
					}
				}
			}
		}
	})
}

// TestGELUSpecialValues covers NaN, infinities, zeros, large and tiny
// values in every lane position.
func TestGELUSpecialValues(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	specials := []float32{nan, inf, -inf, 0, float32(math.Copysign(0, -1)), 1e-30, -1e-30, 40, -40, 13, -13, 6, -6, 1e-3, -1e-3}
	cpu.ForEachImpl(t, func(t *testing.T) {
		for lane := 0; lane < 16; lane++ {
			for _, s := range specials {
				x := make([]float32, 32)
				for i := range x {
					x[i] = 0.5
				}
				x[lane] = s
				x[16+lane] = s
				y := make([]float32, 32)
				dx := make([]float32, 32)
				dy := make([]float32, 32)
				for i := range dy {
					dy[i] = 1
				}
				GELUForward(y, x)
				GELUBackward(dx, x, dy)
				for _, i := range []int{lane, 16 + lane} {
					wy, wd := geluRef(float64(s))
					switch {
					case s != s:
						if y[i] == y[i] || dx[i] == dx[i] {
							t.Fatalf("lane %d: gelu(NaN) = %v, %v", lane, y[i], dx[i])
						}
					case math.IsInf(float64(s), 1):
						if y[i] != inf {
							t.Fatalf("gelu(+Inf) = %v", y[i])
						}
					case math.IsInf(float64(s), -1):
						// -Inf * 0: NaN or 0 are both acceptable here.
					default:
						if math.Abs(float64(y[i])-wy) > geluTol(float64(s), wy) || math.Abs(float64(dx[i])-wd) > 5e-7*(1+math.Abs(float64(s))) {
							t.Fatalf("lane %d: x=%v: got %v, %v; want %v, %v", lane, s, y[i], dx[i], wy, wd)
						}
					}
				}
			}
		}
	})
}

// geluCompare runs GELU with the fastest implementation and the generic one
// on x and reports the largest difference scaled by the tolerance.
func geluCompare(t *testing.T, x []float32) {
	n := len(x)
	fast, fastD := make([]float32, n), make([]float32, n)
	gen, genD := make([]float32, n), make([]float32, n)
	dy := make([]float32, n)
	for i := range dy {
		dy[i] = 1
	}
	GELUForward(fast, x)
	GELUBackward(fastD, x, dy)
	geluForwardGeneric(gen, x)
	geluBackwardGeneric(genD, x, dy)
	for i, v := range x {
		if v != v {
			if fast[i] == fast[i] || gen[i] == gen[i] {
				t.Fatalf("NaN input %d: fast %v, generic %v", i, fast[i], gen[i])
			}
			continue
		}
		if math.IsInf(float64(v), 0) {
			continue
		}
		xv := float64(v)
		if math.Abs(float64(fast[i])-float64(gen[i])) > 2*geluTol(xv, float64(gen[i])) {
			t.Fatalf("x=%v: fast %v, generic %v", v, fast[i], gen[i])
		}
		if math.Abs(float64(fastD[i])-float64(genD[i])) > 1e-6*(1+math.Abs(xv)) {
			t.Fatalf("x=%v: fast gradient %v, generic %v", v, fastD[i], genD[i])
		}
	}
}

func TestGELUDense(t *testing.T) {
	var x []float32
	for v := -15.0; v <= 15; v += 1.0 / 1024 {
		x = append(x, float32(v))
	}
	cpu.ForEachImpl(t, func(t *testing.T) { geluCompare(t, x) })
}

// FuzzGELU compares every implementation with the generic one on arbitrary
// bit patterns.
func FuzzGELU(f *testing.F) {
	f.Add([]byte{0, 0, 0x80, 0x3f, 0, 0, 0xc0, 0x7f, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, data []byte) {
		x := make([]float32, len(data)/4)
		for i := range x {
			b := uint32(data[4*i]) | uint32(data[4*i+1])<<8 | uint32(data[4*i+2])<<16 | uint32(data[4*i+3])<<24
			x[i] = math.Float32frombits(b)
		}
		for _, im := range cpu.Impls() {
			restore := im.Select()
			geluCompare(t, x)
			restore()
		}
	})
}
