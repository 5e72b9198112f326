package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// layerNormAgree compares a fast row with the generic one: the sums run in
// another order, so values may differ in the last float32 bit.
func layerNormAgree(t *testing.T, what string, y, wy []float32, m, r, wm, wr float32) {
	t.Helper()
	near := func(a, b float32) bool {
		if a != a || b != b {
			return (a != a) == (b != b)
		}
		return math.Abs(float64(a)-float64(b)) <= 2.5e-7*(1+math.Abs(float64(b)))
	}
	if !near(m, wm) || !near(r, wr) {
		t.Fatalf("%s: mean/rstd %v/%v, generic %v/%v", what, m, r, wm, wr)
	}
	for j := range y {
		if !near(y[j], wy[j]) {
			t.Fatalf("%s: y[%d] = %v, generic %v", what, j, y[j], wy[j])
		}
	}
}

// TestLayerNormRowImplementations checks every implementation against the
// generic row at lengths 1..200 (the AVX-512 code takes multiples of 8) and
// alignment offsets, with guard values around the output.
func TestLayerNormRowImplementations(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(81, 81))
		for n := 1; n <= 200; n++ {
			off := n % 16
			x := randSlice(rng, n+off, 2)[off:]
			for i := range x {
				x[i] += 5
			}
			g, b := randSlice(rng, n, 1), randSlice(rng, n, 1)
			y, check := guarded(n, (off+9)%16)
			m, r := layerNormRow(y, x, g, b, 1e-5)
			check(t, "layernorm row")
			wy := make([]float32, n)
			wm, wr := layerNormRowGeneric(wy, x, g, b, 1e-5)
			layerNormAgree(t, "n="+itoa(n), y, wy, m, r, wm, wr)
		}
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// FuzzLayerNormRow compares the fastest implementation with the generic one.
func FuzzLayerNormRow(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, float32(10))
	f.Fuzz(func(t *testing.T, data []byte, shift float32) {
		n := len(data) / 8 * 8
		if n == 0 || shift != shift || math.Abs(float64(shift)) > 1e6 {
			return
		}
		x, g, b := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(int8(data[i]))/16 + shift
			g[i] = float32(data[(i+1)%len(data)]) / 64
			b[i] = float32(int8(data[(i+2)%len(data)])) / 32
		}
		y, wy := make([]float32, n), make([]float32, n)
		m, r := layerNormRow(y, x, g, b, 1e-5)
		wm, wr := layerNormRowGeneric(wy, x, g, b, 1e-5)
		if float64(r) > 1e4 {
			return // a near-constant row: y is rounding noise times rstd
		}
		layerNormAgree(t, "fuzz", y, wy, m, r, wm, wr)
	})
}
