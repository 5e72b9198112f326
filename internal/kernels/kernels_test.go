package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

const guard = float32(-7777.5)

// guarded returns a slice of n values at offset off inside a larger buffer
// filled with guard values, and a check function for the guards.
func guarded(n, off int) ([]float32, func(t *testing.T, what string)) {
	buf := make([]float32, n+off+8)
	for i := range buf {
		buf[i] = guard
	}
	s := buf[off : off+n]
	return s, func(t *testing.T, what string) {
		t.Helper()
		for i := 0; i < off; i++ {
			if buf[i] != guard {
				t.Fatalf("%s: guard before output overwritten at %d", what, i-off)
			}
		}
		for i := off + n; i < len(buf); i++ {
			if buf[i] != guard {
				t.Fatalf("%s: guard after output overwritten at +%d", what, i-off-n)
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int, scale float64) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(scale * rng.NormFloat64())
	}
	return s
}

// near compares with a mixed absolute/relative tolerance; NaN equals NaN.
func near(got float32, want float64, tol float64) bool {
	if math.IsNaN(want) {
		return got != got
	}
	if math.IsInf(want, 0) {
		return float64(got) == want
	}
	return math.Abs(float64(got)-want) <= tol*(1+math.Abs(want))
}

// sizes are the lengths tried: every size up to 70 and a few long ones
// that take the parallel paths.
func sizes() []int {
	var s []int
	for n := 0; n <= 70; n++ {
		s = append(s, n)
	}
	return append(s, 1000, 40000, 70001)
}

func TestBinaryAllSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	ops := map[BinaryOp]func(a, b float64) float64{
		Add: func(a, b float64) float64 { return a + b },
		Sub: func(a, b float64) float64 { return a - b },
		Mul: func(a, b float64) float64 { return a * b },
		Div: func(a, b float64) float64 { return a / b },
	}
	for op, f := range ops {
		for _, n := range sizes() {
			for off := 0; off < 3; off++ {
				a, b := randSlice(rng, n, 1), randSlice(rng, n, 1)
				s := float32(rng.NormFloat64())
				dst, check := guarded(n, off)
				Binary(op, dst, a, b)
				check(t, op.String())
				for i := range dst {
					if !near(dst[i], f(float64(a[i]), float64(b[i])), 1e-6) {
						t.Fatalf("%v n=%d: [%d] = %v", op, n, i, dst[i])
					}
				}
				BinaryScalarB(op, dst, a, s)
				for i := range dst {
					if !near(dst[i], f(float64(a[i]), float64(s)), 1e-6) {
						t.Fatalf("%v scalarB n=%d: [%d]", op, n, i)
					}
				}
				BinaryScalarA(op, dst, s, b)
				for i := range dst {
					if !near(dst[i], f(float64(s), float64(b[i])), 1e-6) {
						t.Fatalf("%v scalarA n=%d: [%d]", op, n, i)
					}
				}
				check(t, op.String())
			}
		}
	}
}

func TestBinaryStrided(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	// dst [4, 3, 5]: a broadcast over the middle, b over the first two dims.
	dims := []int{4, 3, 5}
	a := randSlice(rng, 4*5, 1)
	b := randSlice(rng, 5, 1)
	dst, check := guarded(60, 1)
	BinaryStrided(Mul, dst, dims, a, []int{5, 0, 1}, b, []int{0, 0, 1})
	check(t, "strided")
	for i := 0; i < 4; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 5; k++ {
				want := float64(a[i*5+k]) * float64(b[k])
				if !near(dst[(i*3+j)*5+k], want, 1e-6) {
					t.Fatalf("[%d %d %d]", i, j, k)
				}
			}
		}
	}
	// A long single row (split into pieces for the workers) with a scalar.
	old := ParallelMin
	ParallelMin = 1024
	defer func() { ParallelMin = old }()
	n := 512 * 9
	x := randSlice(rng, n, 1)
	out := make([]float32, n)
	BinaryStrided(Add, out, []int{n}, x, []int{1}, []float32{2}, []int{0})
	for i := range out {
		if out[i] != x[i]+2 {
			t.Fatalf("long row [%d]", i)
		}
	}
}

func TestUnaryAgainstFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	refs := map[UnaryOp]func(float64) float64{
		GELU:     func(x float64) float64 { return 0.5 * x * (1 + math.Erf(x/math.Sqrt2)) },
		GELUTanh: func(x float64) float64 { return 0.5 * x * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(x+0.044715*x*x*x))) },
		Tanh:     math.Tanh,
		ReLU:     func(x float64) float64 { return math.Max(x, 0) },
		Sigmoid:  func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
		Exp:      math.Exp,
		Log:      math.Log,
		Sqrt:     math.Sqrt,
		Square:   func(x float64) float64 { return x * x },
		Neg:      func(x float64) float64 { return -x },
	}
	for op, f := range refs {
		for _, n := range sizes() {
			x := randSlice(rng, n, 3)
			if op == Log || op == Sqrt {
				for i := range x {
					x[i] = float32(math.Abs(float64(x[i])) + 0.01)
				}
			}
			dst, check := guarded(n, n%3)
			Unary(op, dst, x)
			check(t, op.String())
			for i := range dst {
				if !near(dst[i], f(float64(x[i])), 3e-7) {
					t.Fatalf("%v(%v) = %v, want %v", op, x[i], dst[i], f(float64(x[i])))
				}
			}
			// Derivative against central differences of the float64 function.
			dy := randSlice(rng, n, 1)
			dx, check2 := guarded(n, 1)
			UnaryBackward(op, dx, x, dst, dy)
			check2(t, op.String()+" backward")
			for i := range dx {
				h := 1e-5 * math.Max(1, math.Abs(float64(x[i])))
				d := (f(float64(x[i])+h) - f(float64(x[i])-h)) / (2 * h)
				if op == ReLU && math.Abs(float64(x[i])) < 2*h {
					continue
				}
				if !near(dx[i], float64(dy[i])*d, 1e-4) {
					t.Fatalf("%v' at %v: got %v, want %v", op, x[i], dx[i], float64(dy[i])*d)
				}
			}
		}
	}
}

func TestUnaryNaN(t *testing.T) {
	nan := float32(math.NaN())
	for _, op := range []UnaryOp{GELU, GELUTanh, Tanh, ReLU, Sigmoid, Exp, Log, Sqrt, Square, Neg} {
		dst := []float32{0}
		Unary(op, dst, []float32{nan})
		if dst[0] == dst[0] {
			t.Errorf("%v(NaN) = %v", op, dst[0])
		}
	}
}

func TestExp32(t *testing.T) {
	worst := 0.0
	for x := -103.0; x < 88.7; x += 0.0137 {
		got := float64(Exp32(float32(x)))
		want := math.Exp(float64(float32(x)))
		if want < 1.1754944e-38 {
			// Subnormal results: absolute error.
			if math.Abs(got-want) > 2e-45 {
				t.Fatalf("Exp32(%v) = %v, want %v", x, got, want)
			}
			continue
		}
		worst = math.Max(worst, math.Abs(got-want)/want)
	}
	if worst > 3e-7 {
		t.Fatalf("Exp32 relative error %.3g", worst)
	}
	if !math.IsInf(float64(Exp32(89)), 1) || Exp32(-200) != 0 || Exp32(float32(math.NaN())) == Exp32(float32(math.NaN())) {
		t.Fatal("Exp32 special values")
	}
	if Exp32(float32(math.Inf(-1))) != 0 || !math.IsInf(float64(Exp32(float32(math.Inf(1)))), 1) {
		t.Fatal("Exp32 of infinities")
	}
}

func TestAxpyScaleFill(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, n := range sizes() {
		x := randSlice(rng, n, 1)
		y, check := guarded(n, 2)
		y0 := randSlice(rng, n, 1)
		copy(y, y0)
		Axpy(0.5, x, y)
		check(t, "axpy")
		for i := range y {
			if !near(y[i], float64(y0[i])+0.5*float64(x[i]), 1e-6) {
				t.Fatalf("axpy n=%d [%d]", n, i)
			}
		}
		Scale(-2, y, x)
		Fill(y[:n/2], 3)
		check(t, "scale/fill")
		for i := range y {
			want := -2 * float64(x[i])
			if i < n/2 {
				want = 3
			}
			if !near(y[i], want, 0) {
				t.Fatalf("scale/fill n=%d [%d]", n, i)
			}
		}
	}
}

func TestFillZeroAndLong(t *testing.T) {
	for _, n := range []int{0, 1, 17, 4*ParallelMin + 3} {
		for _, v := range []float32{0, float32(math.Copysign(0, -1)), 2.5} {
			x, check := guarded(n, 1)
			for i := range x {
				x[i] = 7
			}
			Fill(x, v)
			check(t, "fill")
			for i := range x {
				if math.Float32bits(x[i]) != math.Float32bits(v) {
					t.Fatalf("n=%d v=%v: [%d] = %v", n, v, i, x[i])
				}
			}
		}
	}
}
