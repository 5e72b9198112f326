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

// TestLayerNormGradRowImplementations checks every implementation's dx
// against float64 at lengths 1..200 and alignment offsets, with guards.
func TestLayerNormGradRowImplementations(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(91, 91))
		for n := 1; n <= 200; n++ {
			off := n % 16
			x := randSlice(rng, n+off, 2)[off:]
			dy, g := randSlice(rng, n, 1), randSlice(rng, n, 1)
			y := make([]float32, n)
			mu, rs := layerNormRowGeneric(y, x, g, nil, 1e-5)
			for _, gg := range [][]float32{g, nil} {
				dx, check := guarded(n, (off+3)%16)
				layerNormGradRow(dx, x, dy, gg, mu, rs)
				check(t, "layernorm grad row")
				var mg, mgx float64
				xh := make([]float64, n)
				gj := make([]float64, n)
				for j := range x {
					xh[j] = (float64(x[j]) - float64(mu)) * float64(rs)
					gj[j] = float64(dy[j])
					if gg != nil {
						gj[j] *= float64(gg[j])
					}
					mg += gj[j] / float64(n)
					mgx += gj[j] * xh[j] / float64(n)
				}
				for j := range dx {
					want := float64(rs) * (gj[j] - mg - xh[j]*mgx)
					if math.Abs(float64(dx[j])-want) > 2e-5*float64(rs)*(1+math.Abs(gj[j])) {
						t.Fatalf("n=%d gamma=%v: dx[%d] = %v, want %v", n, gg != nil, j, dx[j], want)
					}
				}
			}
		}
	})
}

// FuzzLayerNormGradRow compares the fastest implementation with the
// generic one.
func FuzzLayerNormGradRow(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 16 * 16
		if n == 0 {
			return
		}
		x, dy, g := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(int8(data[i])) / 16
			dy[i] = float32(int8(data[(i+1)%len(data)])) / 32
			g[i] = float32(data[(i+2)%len(data)]) / 64
		}
		y := make([]float32, n)
		mu, rs := layerNormRowGeneric(y, x, g, nil, 1e-5)
		if float64(rs) > 100 {
			return // a near-constant row
		}
		a, b := make([]float32, n), make([]float32, n)
		layerNormGradRow(a, x, dy, g, mu, rs)
		layerNormGradRowGeneric(b, x, dy, g, mu, rs)
		var scale float64
		for i := range dy {
			scale = math.Max(scale, math.Abs(float64(dy[i]*g[i])))
		}
		// Both sum n float32 terms in different orders: allow for the
		// growth of float32 summation error with n.
		tol := 1e-5 * float64(rs) * (scale + 1e-3) * math.Max(1, float64(n)/256)
		for i := range a {
			if math.Abs(float64(a[i])-float64(b[i])) > tol {
				t.Fatalf("dx[%d]: fast %v, generic %v", i, a[i], b[i])
			}
		}
	})
}

// TestLnParamSums checks every implementation bit for bit against the
// float64 definition for 0..30 rows, several strides and widths, with the
// accumulators starting non-zero.
func TestLnParamSums(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(101, 101))
		for rows := 0; rows <= 30; rows++ {
			for _, ld := range []int{64, 77, 128} {
				for _, w := range []int{5, 64} {
					off := rows % 16
					size := max(rows, 1)*ld + 64
					x := randSlice(rng, off+size, 2)[off:]
					dy := randSlice(rng, size, 1)
					mean, rstd := randSlice(rng, max(rows, 1), 1), randSlice(rng, max(rows, 1), 1)
					var ag, ab, wg, wb [lnBlock]float64
					for i := range ag {
						ag[i], ab[i] = rng.NormFloat64(), rng.NormFloat64()
						wg[i], wb[i] = ag[i], ab[i]
					}
					lnParamSums(&ag, &ab, x, dy, ld, rows, w, mean, rstd)
					for r := 0; r < rows; r++ {
						for i := 0; i < w; i++ {
							d := dy[r*ld+i]
							wg[i] += float64(d * (x[r*ld+i] - mean[r]) * rstd[r])
							wb[i] += float64(d)
						}
					}
					if ag != wg || ab != wb {
						t.Fatalf("rows=%d ld=%d w=%d: sums differ", rows, ld, w)
					}
				}
			}
		}
	})
}

// FuzzLnParamSums compares the fastest implementation with the generic one.
func FuzzLnParamSums(f *testing.F) {
	f.Add([]byte{1, 2, 3}, 4, 70)
	f.Fuzz(func(t *testing.T, data []byte, rows, ld int) {
		if rows < 1 || rows > 40 || ld < 64 || ld > 200 || len(data) == 0 {
			return
		}
		size := rows*ld + 64
		x, dy := make([]float32, size), make([]float32, size)
		for i := range x {
			x[i] = float32(int8(data[i%len(data)])) / 9
			dy[i] = float32(int8(data[(i*7+1)%len(data)])) / 5
		}
		mean, rstd := make([]float32, rows), make([]float32, rows)
		for r := range mean {
			mean[r], rstd[r] = float32(r)/3, 1+float32(r)/7
		}
		var a, b, c, d [lnBlock]float64
		lnParamSums(&a, &b, x, dy, ld, rows, lnBlock, mean, rstd)
		lnParamSumsGeneric(&c, &d, x, dy, ld, rows, lnBlock, mean, rstd)
		if a != c || b != d {
			t.Fatalf("rows=%d ld=%d: implementations differ", rows, ld)
		}
	})
}
