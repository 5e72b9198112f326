package devicetest

import (
	"math"
	"math/rand/v2"
)

func sp(shape ...int) Spec  { return Spec{Shape: shape} }
func cst(shape ...int) Spec { return Spec{Shape: shape, Const: true} }

// withGen returns s generating its values with g.
func withGen(s Spec, g func(i int, r *rand.Rand) float32) Spec { s.Gen = g; return s }

// awayFromZero draws from N(0,1) but keeps |x| >= 0.2 (ops with a kink or a
// pole at 0).
func awayFromZero(_ int, r *rand.Rand) float32 {
	v := r.NormFloat64()
	if math.Abs(v) < 0.2 {
		v = math.Copysign(0.2+math.Abs(v), v)
	}
	return float32(v)
}

// positive draws from [0.3, 2.3).
func positive(_ int, r *rand.Rand) float32 { return float32(0.3 + 2*r.Float64()) }

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// strides of a contiguous row-major array.
func strides(s []int) []int {
	st := make([]int, len(s))
	k := 1
	for i := len(s) - 1; i >= 0; i-- {
		st[i] = k
		k *= s[i]
	}
	return st
}

// unravel turns a flat index into a multi-index of shape s.
func unravel(i int, s []int) []int {
	idx := make([]int, len(s))
	for d := len(s) - 1; d >= 0; d-- {
		if s[d] > 0 {
			idx[d] = i % s[d]
			i /= s[d]
		}
	}
	return idx
}

// bcastShape is NumPy broadcasting of two shapes (assumed compatible).
func bcastShape(a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := i - (n - len(a)); j >= 0 {
			da = a[j]
		}
		if j := i - (n - len(b)); j >= 0 {
			db = b[j]
		}
		out[i] = max(da, db)
		if da == 0 || db == 0 {
			out[i] = 0
		}
	}
	return out
}

// bcastIndex maps a multi-index of the broadcast shape to a flat index of
// an operand of shape s.
func bcastIndex(idx []int, s []int) int {
	off := len(idx) - len(s)
	st := strides(s)
	k := 0
	for d := range s {
		if s[d] != 1 {
			k += idx[d+off] * st[d]
		}
	}
	return k
}

func binaryRef(op func(a, b float64) float64) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, shapes [][]int) []float64 {
		os := bcastShape(shapes[0], shapes[1])
		out := make([]float64, numel(os))
		for i := range out {
			idx := unravel(i, os)
			out[i] = op(in[0][bcastIndex(idx, shapes[0])], in[1][bcastIndex(idx, shapes[1])])
		}
		return out
	}
}

func unaryRef(f func(float64) float64) func(in [][]float64, shapes [][]int) []float64 {
	return func(in [][]float64, _ [][]int) []float64 {
		out := make([]float64, len(in[0]))
		for i, v := range in[0] {
			out[i] = f(v)
		}
		return out
	}
}

// rows returns (rows, n) of a shape seen as [rows, last].
func rowsOf(s []int) (int, int) {
	n := s[len(s)-1]
	if n == 0 {
		return 0, 0
	}
	return numel(s) / n, n
}
