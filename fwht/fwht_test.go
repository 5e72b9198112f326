package fwht

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// refHadamard is the O(n^2) definition: y_i = sum_j (-1)^popcount(i&j) x_j,
// in float64.
func refHadamard(x []float64) []float64 {
	y := make([]float64, len(x))
	for i := range x {
		var s float64
		for j, v := range x {
			if bits.OnesCount(uint(i&j))&1 == 0 {
				s += v
			} else {
				s -= v
			}
		}
		y[i] = s
	}
	return y
}

// naive32 is the textbook triple loop in float32.
func naive32(x []float32) {
	n := len(x)
	for h := 1; h < n; h *= 2 {
		for i := 0; i < n; i += 2 * h {
			for j := i; j < i+h; j++ {
				x[j], x[j+h] = x[j]+x[j+h], x[j]-x[j+h]
			}
		}
	}
}

func randVec(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

const guard = float32(-7.75e13)

// guarded returns a buffer with x copied at offset off, surrounded by guard
// values, and the view of x inside it.
func guarded(x []float32, off int) (buf, view []float32) {
	buf = make([]float32, off+len(x)+16)
	for i := range buf {
		buf[i] = guard
	}
	view = buf[off : off+len(x)]
	copy(view, x)
	return buf, view
}

func checkGuards(t *testing.T, buf []float32, off, n int) {
	t.Helper()
	for i, v := range buf {
		if (i < off || i >= off+n) && math.Float32bits(v) != math.Float32bits(guard) {
			t.Fatalf("guard at %d (view [%d,%d)) overwritten: %v", i, off, off+n, v)
		}
	}
}

func sameBits(a, b float32) bool {
	if a != a && b != b {
		return true // any NaN matches any NaN
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func maxErr(got []float32, want []float64) float64 {
	var m float64
	for i := range got {
		m = max(m, math.Abs(float64(got[i])-want[i]))
	}
	return m
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// TestTransformReference compares every implementation with the O(n^2)
// definition at every power of two up to 2^12 and every alignment offset,
// and with the generic kernels bit for bit.
func TestTransformReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	maxLg := 12
	if testing.Short() {
		maxLg = 10
	}
	type tc struct {
		x, gen, naive []float32
		ref           []float64
		naiveErr      float64
	}
	var cases []tc
	for lg := 0; lg <= maxLg; lg++ {
		n := 1 << lg
		x := randVec(r, n)
		ref := refHadamard(to64(x))
		naive := append([]float32(nil), x...)
		naive32(naive)
		gen := append([]float32(nil), x...)
		transformAny(gen, &generic32)
		cases = append(cases, tc{x, gen, naive, ref, maxErr(naive, ref)})
	}
	cpu.ForEachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			n := len(c.x)
			for off := 0; off < 16; off++ {
				buf, v := guarded(c.x, off)
				if err := Transform(v); err != nil {
					t.Fatal(err)
				}
				checkGuards(t, buf, off, n)
				e := maxErr(v, c.ref)
				// The naive float32 loop's error is the yardstick; a loose
				// absolute bound catches a yardstick that is itself wrong.
				bound := 1e-6 * math.Sqrt(float64(n)) * float64(bits.Len(uint(n)))
				if e > 2*c.naiveErr || e > bound {
					t.Fatalf("n=%d off=%d: max error %g, naive float32 loop %g, bound %g", n, off, e, c.naiveErr, bound)
				}
				for i := range v {
					if !sameBits(v[i], c.gen[i]) {
						t.Fatalf("n=%d off=%d: x[%d] = %v, generic gives %v", n, off, i, v[i], c.gen[i])
					}
				}
			}
		}
	})
}

// TestTransformLarge checks larger sizes against the float64 transform
// (itself checked against the definition), bit equality with generic, and
// H(Hx) = n x.
func TestTransformLarge(t *testing.T) {
	sizes := []int{}
	maxLg := 22
	if testing.Short() {
		maxLg = 18
	}
	for lg := 13; lg <= maxLg; lg++ {
		sizes = append(sizes, 1<<lg)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range sizes {
		x := randVec(r, n)
		ref := to64(x)
		if err := Transform64(ref); err != nil {
			t.Fatal(err)
		}
		gen := append([]float32(nil), x...)
		transformAny(gen, &generic32)
		lg := bits.Len(uint(n)) - 1
		bound := 1e-6 * math.Sqrt(float64(n)) * float64(lg)
		if e := maxErr(gen, ref); e > bound {
			t.Fatalf("generic n=%d: error %g > %g", n, e, bound)
		}
		t.Run(fmt.Sprintf("n=%d", n), func(t *testing.T) {
			cpu.ForEachImpl(t, func(t *testing.T) {
				off := lg % 16
				buf, v := guarded(x, off)
				if err := Transform(v); err != nil {
					t.Fatal(err)
				}
				checkGuards(t, buf, off, n)
				for i := range v {
					if !sameBits(v[i], gen[i]) {
						t.Fatalf("n=%d: x[%d] = %v, generic gives %v", n, i, v[i], gen[i])
					}
				}
				// Inverse: H(Hx) = n x.
				if err := Transform(v); err != nil {
					t.Fatal(err)
				}
				for i := range v {
					if d := math.Abs(float64(v[i])/float64(n) - float64(x[i])); d > 1e-6*float64(lg)*math.Sqrt(float64(n)) {
						t.Fatalf("n=%d: H(Hx)/n differs from x at %d by %g", n, i, d)
					}
				}
			})
		})
	}
}

// TestTransformFar runs the kernels for arrays beyond the caches (software
// prefetching; see farMin) on small arrays, at every alignment offset, and
// compares them with generic bit for bit.
func TestTransformFar(t *testing.T) {
	defer func(m, j int) { farMin, farJoin = m, j }(farMin, farJoin)
	farMin, farJoin = 1<<13, 1<<13
	r := rand.New(rand.NewPCG(5, 6))
	maxLg := 17
	if testing.Short() {
		maxLg = 16
	}
	for lg := 13; lg <= maxLg; lg++ {
		n := 1 << lg
		x := randVec(r, n)
		gen := append([]float32(nil), x...)
		transformAny(gen, &generic32)
		cpu.ForEachImpl(t, func(t *testing.T) {
			for off := 0; off < 16; off += 1 + lg%3 {
				buf, v := guarded(x, off)
				if err := Transform(v); err != nil {
					t.Fatal(err)
				}
				checkGuards(t, buf, off, n)
				for i := range v {
					if !sameBits(v[i], gen[i]) {
						t.Fatalf("n=%d off=%d: x[%d] = %v, generic gives %v", n, off, i, v[i], gen[i])
					}
				}
			}
			if n >= parallelMin {
				p := append([]float32(nil), x...)
				if err := TransformParallel(p, 2); err != nil {
					t.Fatal(err)
				}
				for i := range p {
					if !sameBits(p[i], gen[i]) {
						t.Fatalf("parallel n=%d: x[%d] = %v, generic gives %v", n, i, p[i], gen[i])
					}
				}
			}
		})
	}
}

func TestTransform64(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	maxLg := 20
	if testing.Short() {
		maxLg = 16
	}
	type tc struct{ x, ref, gen []float64 }
	var cases []tc
	for lg := 0; lg <= maxLg; lg++ {
		n := 1 << lg
		x := make([]float64, n)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		var ref []float64
		if lg <= 11 {
			ref = refHadamard(x)
		}
		gen := append([]float64(nil), x...)
		transformAny(gen, &generic64)
		cases = append(cases, tc{x, ref, gen})
	}
	cpu.ForEachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			n := len(c.x)
			offs := 8
			if n > 1<<12 {
				offs = 2
			}
			for off := 0; off < offs; off++ {
				buf := make([]float64, n+off+8)
				for i := range buf {
					buf[i] = -1e300
				}
				v := buf[off : off+n]
				copy(v, c.x)
				if err := Transform64(v); err != nil {
					t.Fatal(err)
				}
				for i := range buf {
					if (i < off || i >= off+n) && buf[i] != -1e300 {
						t.Fatalf("n=%d off=%d: guard %d overwritten", n, off, i)
					}
				}
				for i := range v {
					if c.ref != nil && math.Abs(v[i]-c.ref[i]) > 1e-13*float64(n) {
						t.Fatalf("n=%d: y[%d] = %v, want %v", n, i, v[i], c.ref[i])
					}
					if math.Float64bits(v[i]) != math.Float64bits(c.gen[i]) {
						t.Fatalf("n=%d off=%d: y[%d] = %v, generic gives %v", n, off, i, v[i], c.gen[i])
					}
				}
			}
		}
	})
}

func TestOrthoInvolution(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cpu.ForEachImpl(t, func(t *testing.T) {
		for lg := 0; lg <= 14; lg++ {
			x := randVec(r, 1<<lg)
			y := append([]float32(nil), x...)
			if err := TransformOrtho(y); err != nil {
				t.Fatal(err)
			}
			// Orthonormal: the norm is kept.
			var nx, ny float64
			for i := range x {
				nx += float64(x[i]) * float64(x[i])
				ny += float64(y[i]) * float64(y[i])
			}
			if math.Abs(nx-ny) > 1e-5*nx {
				t.Fatalf("n=%d: |x|^2=%g |Hx/sqrt n|^2=%g", 1<<lg, nx, ny)
			}
			if err := TransformOrtho(y); err != nil {
				t.Fatal(err)
			}
			for i := range x {
				if math.Abs(float64(y[i]-x[i])) > 1e-5*(1+float64(lg)) {
					t.Fatalf("n=%d: ortho twice gives %v at %d, want %v", 1<<lg, y[i], i, x[i])
				}
			}
		}
	})
}

func TestBatchAndParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	cpu.ForEachImpl(t, func(t *testing.T) {
		for _, n := range []int{1, 2, 16, 128, 4096} {
			rows := 5
			x := randVec(r, n*rows)
			want := append([]float32(nil), x...)
			for i := 0; i < rows; i++ {
				naive32(want[i*n : (i+1)*n])
			}
			if err := TransformBatch(x, n); err != nil {
				t.Fatal(err)
			}
			for i := range x {
				if !sameBits(x[i], want[i]) {
					t.Fatalf("batch n=%d: x[%d] = %v, want %v", n, i, x[i], want[i])
				}
			}
		}
		maxLg := 21
		if testing.Short() {
			maxLg = 18
		}
		for lg := 10; lg <= maxLg; lg++ {
			n := 1 << lg
			x := randVec(r, n)
			want := append([]float32(nil), x...)
			if err := Transform(want); err != nil {
				t.Fatal(err)
			}
			for _, threads := range []int{0, 1, 2, 3} {
				got := append([]float32(nil), x...)
				if err := TransformParallel(got, threads); err != nil {
					t.Fatal(err)
				}
				for i := range got {
					if !sameBits(got[i], want[i]) {
						t.Fatalf("parallel n=%d threads=%d: x[%d] = %v, want %v", n, threads, i, got[i], want[i])
					}
				}
			}
		}
	})
}

func TestLengthErrors(t *testing.T) {
	bad := []int{0, 3, 5, 6, 7, 9, 12, 100, 1023, 1025, 3 << 10}
	for _, n := range bad {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i)
		}
		x64 := make([]float64, n)
		funcs := map[string]func() error{
			"Transform":         func() error { return Transform(x) },
			"TransformOrtho":    func() error { return TransformOrtho(x) },
			"TransformParallel": func() error { return TransformParallel(x, 0) },
			"Transform64":       func() error { return Transform64(x64) },
			"TransformBatch":    func() error { return TransformBatch(x, n) },
		}
		for name, f := range funcs {
			err := f()
			var le *LengthError
			if !errors.As(err, &le) || le.Len != n {
				t.Fatalf("%s(len %d): err = %v, want *LengthError with Len %d", name, n, err, n)
			}
		}
		for i := range x {
			if x[i] != float32(i) {
				t.Fatalf("len %d: input changed by a failing call", n)
			}
		}
	}
	if err := TransformBatch(make([]float32, 12), 8); err == nil {
		t.Fatal("TransformBatch(len 12, n=8) accepted")
	}
	if err := TransformBatch(nil, 8); err != nil {
		t.Fatalf("TransformBatch with zero rows: %v", err)
	}
}

// FuzzTransform compares every implementation with the generic one, bit for
// bit (any NaN matching any NaN), on arbitrary float32 data.
func FuzzTransform(f *testing.F) {
	f.Add(uint8(10), uint8(3), []byte("seed data for the walsh hadamard transform"))
	f.Add(uint8(7), uint8(0), []byte{0, 0, 0x80, 0x7f, 0, 0, 0x80, 0xff, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, lg, off uint8, data []byte) {
		n := 1 << (lg % 15)
		o := int(off % 16)
		x := make([]float32, n)
		for i := range x {
			var b [4]byte
			for k := range b {
				if len(data) > 0 {
					b[k] = data[(4*i+k)%len(data)]
				}
			}
			x[i] = math.Float32frombits(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24 ^ uint32(i)*0x9e3779b9&0x807fffff)
		}
		want := append([]float32(nil), x...)
		transformAny(want, &generic32)
		for _, im := range cpu.Impls() {
			restore := im.Select()
			buf, v := guarded(x, o)
			err := Transform(v)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			checkGuards(t, buf, o, n)
			for i := range v {
				if !sameBits(v[i], want[i]) {
					t.Fatalf("%s n=%d off=%d: x[%d] = %v, generic %v", im.Name, n, o, i, v[i], want[i])
				}
			}
		}
	})
}

func TestScale(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	cpu.ForEachImpl(t, func(t *testing.T) {
		for n := 0; n <= 200; n++ {
			x := randVec(r, n)
			s := float32(r.NormFloat64())
			for off := 0; off < 16; off += 5 {
				buf, v := guarded(x, off)
				scale32(v, s)
				checkGuards(t, buf, off, n)
				for i := range v {
					if !sameBits(v[i], x[i]*s) {
						t.Fatalf("n=%d off=%d: x[%d]*s = %v, want %v", n, off, i, v[i], x[i]*s)
					}
				}
			}
		}
	})
}

// FuzzTransform64 is FuzzTransform for float64.
func FuzzTransform64(f *testing.F) {
	f.Add(uint8(9), uint8(1), []byte("float64 seed data for the transform"))
	f.Add(uint8(5), uint8(0), []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 0, 0, 0, 0, 0, 0, 0xf8, 0xff})
	f.Fuzz(func(t *testing.T, lg, off uint8, data []byte) {
		n := 1 << (lg % 14)
		o := int(off % 8)
		x := make([]float64, n)
		for i := range x {
			var u uint64
			for k := 0; k < 8; k++ {
				if len(data) > 0 {
					u |= uint64(data[(8*i+k)%len(data)]) << (8 * k)
				}
			}
			x[i] = math.Float64frombits(u ^ uint64(i)*0x9e3779b97f4a7c15&0x800fffffffffffff)
		}
		want := append([]float64(nil), x...)
		transformAny(want, &generic64)
		for _, im := range cpu.Impls() {
			restore := im.Select()
			buf := make([]float64, n+o+4)
			v := buf[o : o+n]
			copy(v, x)
			err := Transform64(v)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			for i := range v {
				a, b := v[i], want[i]
				if !(a != a && b != b) && math.Float64bits(a) != math.Float64bits(b) {
					t.Fatalf("%s n=%d off=%d: x[%d] = %v, generic %v", im.Name, n, o, i, a, b)
				}
			}
			for i := range buf {
				if (i < o || i >= o+n) && buf[i] != 0 {
					t.Fatalf("%s n=%d off=%d: guard %d overwritten", im.Name, n, o, i)
				}
			}
		}
	})
}
