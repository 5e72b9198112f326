package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// firstDiff reports whether a and b hold bit-identical values, and the first index where they do not.
func firstDiff(a, b []float32) (int, bool) {
	if len(a) != len(b) {
		return -1, false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i, false
		}
	}
	return 0, true
}

func TestAddRow(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 7))
		for n := 0; n <= 100; n++ {
			for off := 0; off < 16; off += 5 {
				a := randSlice(rng, n+off, 1)[off:]
				b := randSlice(rng, n+3, 1)[3:]
				if n > 0 {
					a[n/2] = float32(math.NaN())
				}
				dst, check := guarded(n, (off+1)%16)
				addRow(dst, a, b)
				check(t, "addRow")
				for j := range dst {
					if w := a[j] + b[j]; math.Float32bits(dst[j]) != math.Float32bits(w) && !(w != w && dst[j] != dst[j]) {
						t.Fatalf("n=%d off=%d: addRow[%d] = %v, want %v", n, off, j, dst[j], w)
					}
				}
				// In place.
				c := append([]float32(nil), a...)
				addRow(c, c, b)
				if i, ok := firstDiff(c, dst); !ok && n > 0 && !(c[i] != c[i] && dst[i] != dst[i]) {
					t.Fatalf("n=%d: in-place addRow differs at %d", n, i)
				}
			}
		}
	})
}

func FuzzAddRow(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70})
	f.Fuzz(func(t *testing.T, data []byte) {
		n := len(data) / 8
		a, b := make([]float32, n), make([]float32, n)
		for i := 0; i < n; i++ {
			a[i] = math.Float32frombits(uint32(data[8*i]) | uint32(data[8*i+1])<<8 | uint32(data[8*i+2])<<16 | uint32(data[8*i+3])<<24)
			b[i] = math.Float32frombits(uint32(data[8*i+4]) | uint32(data[8*i+5])<<8 | uint32(data[8*i+6])<<16 | uint32(data[8*i+7])<<24)
		}
		got, want := make([]float32, n), make([]float32, n)
		addRowImpl(got, a, b)
		addRowGeneric(want, a, b)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("addRow[%d] of %v + %v: asm %v, generic %v", i, a[i], b[i], got[i], want[i])
			}
		}
	})
}

// fusedShapes are the (rows, n) pairs the fused kernels are tried on: every n
// up to 70 on a few rows, the RoBERTa widths, and shapes that take the
// parallel path.
func fusedShapes() [][2]int {
	var s [][2]int
	for n := 0; n <= 70; n++ {
		s = append(s, [2]int{1 + n%4, n})
	}
	return append(s, [2]int{0, 16}, [2]int{3, 768}, [2]int{2, 3072}, [2]int{67, 768}, [2]int{130, 65})
}

func TestBiasGELU(t *testing.T) {
	old := ParallelMin
	ParallelMin = 1024
	defer func() { ParallelMin = old }()
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(8, 8))
		for _, sh := range fusedShapes() {
			rows, n := sh[0], sh[1]
			for _, withBias := range []bool{true, false} {
				off := (rows + n) % 16
				pre0 := randSlice(rng, rows*n, 2)
				var bias []float32
				if withBias {
					bias = randSlice(rng, n+off, 1)[off:]
				}
				pre, checkPre := guarded(rows*n, (off+3)%16)
				copy(pre, pre0)
				dst, checkDst := guarded(rows*n, off)
				BiasGELU(dst, pre, bias, rows, n)
				checkPre(t, "BiasGELU pre")
				checkDst(t, "BiasGELU dst")
				for i := range pre {
					w := pre0[i]
					if bias != nil {
						w += bias[i%n]
					}
					if math.Float32bits(pre[i]) != math.Float32bits(w) {
						t.Fatalf("rows=%d n=%d: pre[%d] = %v, want %v", rows, n, i, pre[i], w)
					}
					y, _ := geluRef(float64(w))
					if math.Abs(float64(dst[i])-y) > geluTol(float64(w), y) {
						t.Fatalf("rows=%d n=%d: dst[%d] = GELU(%v) = %v, want %v", rows, n, i, w, dst[i], y)
					}
				}
				// In place: dst aliasing pre gives the same activation.
				in := append([]float32(nil), pre0...)
				BiasGELU(in, in, bias, rows, n)
				if i, ok := firstDiff(in, dst); !ok {
					t.Fatalf("rows=%d n=%d: in-place BiasGELU differs at %d", rows, n, i)
				}
			}
		}
	})
}

// residualRef is ResidualLayerNorm composed of the unfused kernels.
func residualRef(x, bias, res, gamma, beta []float32, rows, n int, p float32, seed uint64, eps float32) (y, s, mean, rstd []float32) {
	s = make([]float32, rows*n)
	for i := range s {
		s[i] = x[i]
		if bias != nil {
			s[i] += bias[i%n]
		}
	}
	if p > 0 {
		Dropout(s, s, p, seed, 0)
	}
	for i := range s {
		s[i] += res[i]
	}
	y, mean, rstd = make([]float32, rows*n), make([]float32, rows), make([]float32, rows)
	LayerNorm(y, mean, rstd, s, gamma, beta, rows, n, eps)
	return
}

func TestResidualLayerNorm(t *testing.T) {
	old := ParallelMin
	ParallelMin = 1024
	defer func() { ParallelMin = old }()
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 9))
		const eps = 1e-5
		for _, sh := range fusedShapes() {
			rows, n := sh[0], sh[1]
			for variant := 0; variant < 8; variant++ {
				withBias, withS, withAffine := variant&1 == 0, variant&2 == 0, variant&4 == 0
				p := float32(0)
				if variant%3 != 2 {
					p = 0.1
				}
				seed := uint64(variant*1000 + n)
				name := fmt.Sprintf("rows=%d n=%d bias=%v s=%v affine=%v p=%v", rows, n, withBias, withS, withAffine, p)
				off := (rows + 3*n + variant) % 16
				x := randSlice(rng, rows*n+off, 2)[off:]
				res := randSlice(rng, rows*n, 1)
				var bias, gamma, beta []float32
				if withBias {
					bias = randSlice(rng, n, 1)
				}
				if withAffine {
					gamma, beta = randSlice(rng, n, 1), randSlice(rng, n, 1)
				}
				wy, ws, wm, wr := residualRef(x, bias, res, gamma, beta, rows, n, p, seed, eps)
				y, cy := guarded(rows*n, (off+5)%16)
				mean, cm := guarded(rows, 1)
				rstd, cr := guarded(rows, 2)
				var s []float32
				cs := func(*testing.T, string) {}
				if withS {
					s, cs = guarded(rows*n, (off+9)%16)
				}
				ResidualLayerNorm(y, s, mean, rstd, x, bias, res, gamma, beta, rows, n, p, seed, eps)
				cy(t, name+": y")
				cm(t, name+": mean")
				cr(t, name+": rstd")
				cs(t, name+": s")
				for _, c := range []struct {
					what      string
					got, want []float32
				}{{"y", y, wy}, {"mean", mean, wm}, {"rstd", rstd, wr}} {
					if i, ok := firstDiff(c.got, c.want); !ok {
						t.Fatalf("%s: %s[%d] = %v, want %v", name, c.what, i, c.got[i], c.want[i])
					}
				}
				if withS {
					if i, ok := firstDiff(s, ws); !ok {
						t.Fatalf("%s: s[%d] = %v, want %v", name, i, s[i], ws[i])
					}
				}
				// The layer norm against float64, row by row.
				for r := 0; r < rows; r++ {
					var mu, q float64
					for j := 0; j < n; j++ {
						mu += float64(ws[r*n+j])
					}
					mu /= float64(n)
					for j := 0; j < n; j++ {
						d := float64(ws[r*n+j]) - mu
						q += d * d
					}
					rs := 1 / math.Sqrt(q/float64(n)+eps)
					for j := 0; j < n; j++ {
						w := (float64(ws[r*n+j]) - mu) * rs
						if gamma != nil {
							w = w*float64(gamma[j]) + float64(beta[j])
						}
						if !near(y[r*n+j], w, 1e-5) {
							t.Fatalf("%s: y[%d,%d] = %v, float64 reference %v", name, r, j, y[r*n+j], w)
						}
					}
				}
				// Aliases: y over x, and s over x.
				x2 := append([]float32(nil), x...)
				ResidualLayerNorm(x2, nil, mean, rstd, x2, bias, res, gamma, beta, rows, n, p, seed, eps)
				if i, ok := firstDiff(x2, wy); !ok {
					t.Fatalf("%s: y aliasing x differs at %d", name, i)
				}
				x3 := append([]float32(nil), x...)
				ResidualLayerNorm(y, x3, mean, rstd, x3, bias, res, gamma, beta, rows, n, p, seed, eps)
				if i, ok := firstDiff(x3, ws); !ok {
					t.Fatalf("%s: s aliasing x differs at %d", name, i)
				}
				if i, ok := firstDiff(y, wy); !ok {
					t.Fatalf("%s: y with s aliasing x differs at %d", name, i)
				}
			}
		}
	})
}

// FuzzResidualLayerNorm checks the fused kernel (assembly row helpers)
// against its composition from the generic kernels on fuzzed rows.
func FuzzResidualLayerNorm(f *testing.F) {
	f.Add(uint8(3), uint8(17), uint64(1), uint8(10), []byte{1, 2, 3})
	f.Add(uint8(2), uint8(64), uint64(9), uint8(0), []byte{200, 7})
	f.Fuzz(func(t *testing.T, rows8, n8 uint8, seed uint64, p8 uint8, data []byte) {
		rows, n := int(rows8%9), int(n8%100)
		p := float32(p8%90) / 100
		rng := rand.New(rand.NewPCG(seed, uint64(len(data))))
		x, res := randSlice(rng, rows*n, 3), randSlice(rng, rows*n, 1)
		bias, gamma, beta := randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1)
		for i, b := range data {
			if len(x) > 0 {
				x[(i*31+int(b))%len(x)] = float32(int8(b)) * 1e3
			}
		}
		wy, ws, wm, wr := residualRef(x, bias, res, gamma, beta, rows, n, p, seed, 1e-5)
		y, s, mean, rstd := make([]float32, rows*n), make([]float32, rows*n), make([]float32, rows), make([]float32, rows)
		ResidualLayerNorm(y, s, mean, rstd, x, bias, res, gamma, beta, rows, n, p, seed, 1e-5)
		for _, c := range [][2][]float32{{y, wy}, {s, ws}, {mean, wm}, {rstd, wr}} {
			if i, ok := firstDiff(c[0], c[1]); !ok {
				t.Fatalf("rows=%d n=%d p=%v: element %d: %v, want %v", rows, n, p, i, c[0][i], c[1][i])
			}
		}
		func() {
			defer cpu.DisableAll()()
			gy, gs := make([]float32, rows*n), make([]float32, rows*n)
			ResidualLayerNorm(gy, gs, mean, rstd, x, bias, res, gamma, beta, rows, n, p, seed, 1e-5)
			if i, ok := firstDiff(gs, s); !ok {
				t.Fatalf("generic s differs at %d: %v vs %v", i, gs[i], s[i])
			}
			for i := range gy {
				if !near(gy[i], float64(y[i]), 1e-5) {
					t.Fatalf("generic y[%d] = %v, assembly %v", i, gy[i], y[i])
				}
			}
		}()
	})
}
