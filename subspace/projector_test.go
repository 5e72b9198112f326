package subspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

var allKinds = []Kind{Fastfood, Dense, Sparse, FastfoodSplit, FastfoodBlock}

func randVec(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func norm64(a []float32) float64 { return math.Sqrt(dot64(a, a)) }

// Shapes (d, n) that cover d = 1, n = 1, n a power of two, n just above
// one, d > L (several Fastfood chunks, the last one partial).
var projShapes = [][2]int{
	{1, 1}, {1, 7}, {3, 1}, {5, 8}, {8, 5}, {16, 16}, {17, 16}, {10, 33}, {40, 33}, {100, 3}, {64, 1000}, {700, 257},
}

func TestAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, kind := range allKinds {
		for _, sh := range projShapes {
			d, n := sh[0], sh[1]
			t.Run(fmt.Sprintf("%v/d=%d/n=%d", kind, d, n), func(t *testing.T) {
				p, err := NewProjector(kind, 42, "layer.weight", d, n)
				if err != nil {
					t.Fatal(err)
				}
				ws := new(Workspace)
				for trial := range 3 {
					x, y := randVec(r, d), randVec(r, n)
					px := make([]float32, n)
					pty := make([]float32, d)
					// Garbage in dst must not leak: Project and ProjectT overwrite.
					for i := range px {
						px[i] = float32(math.NaN())
					}
					for i := range pty {
						pty[i] = 1e30
					}
					p.Project(px, x, ws)
					p.ProjectT(pty, y, ws)
					lhs, rhs := dot64(px, y), dot64(x, pty)
					scale := norm64(px)*norm64(y) + norm64(x)*norm64(pty)
					if !(math.Abs(lhs-rhs) <= 1e-5*scale) {
						t.Fatalf("trial %d: <Px,y>=%g <x,P^T y>=%g (scale %g)", trial, lhs, rhs, scale)
					}
				}
			})
		}
	}
}

// dense materialises P column by column (P e_j), in float64.
func denseOf(p Projector) [][]float64 {
	d, n := p.D(), p.N()
	cols := make([][]float64, d)
	e := make([]float32, d)
	out := make([]float32, n)
	for j := range d {
		clear(e)
		e[j] = 1
		p.Project(out, e, nil)
		cols[j] = make([]float64, n)
		for i, v := range out {
			cols[j][i] = float64(v)
		}
	}
	return cols
}

func TestColumnNorms(t *testing.T) {
	cases := []struct {
		d, n int
	}{{200, 1024}, {200, 700}, {50, 5000}, {30, 1}, {2100, 1000}}
	for _, kind := range allKinds {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%v/d=%d/n=%d", kind, c.d, c.n), func(t *testing.T) {
				p, _ := NewProjector(kind, 7, "w", c.d, c.n)
				var mean, worst float64
				cols := denseOf(p)
				for _, col := range cols {
					var s float64
					for _, v := range col {
						s += v * v
					}
					mean += s / float64(c.d)
					worst = math.Max(worst, math.Abs(math.Sqrt(s)-1))
				}
				switch {
				case kind == Dense:
					if worst > 1e-6 {
						t.Fatalf("dense column norm off by %g", worst)
					}
				case kind == Fastfood && c.n == p.(*FastfoodProjector).L(),
					kind == FastfoodSplit && c.n >= c.d && c.n&(c.n-1) == 0:
					// n = L: every column has norm 1 up to rounding.
					if worst > 1e-5 {
						t.Fatalf("fastfood column norm off by %g with n = L", worst)
					}
				default:
					// Mean squared norm ~ 1; single columns within a loose band.
					// Squared norms fluctuate by about sqrt(2/n) each.
					if tol := 4*math.Sqrt(2/float64(c.n*c.d)) + 0.02; math.Abs(mean-1) > tol {
						t.Fatalf("mean squared column norm %g", mean)
					}
					if c.n >= 700 && worst > 0.5 {
						t.Fatalf("a column norm off by %g", worst)
					}
				}
			})
		}
	}
}

func TestRegeneration(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, kind := range allKinds {
		d, n := 70, 300
		x := randVec(r, d)
		y := randVec(r, n)
		run := func(seed uint64, name string) ([]float32, []float32) {
			p, _ := NewProjector(kind, seed, name, d, n)
			a, b := make([]float32, n), make([]float32, d)
			p.Project(a, x, nil)
			p.ProjectT(b, y, nil)
			return a, b
		}
		a1, b1 := run(5, "enc.0.q")
		a2, b2 := run(5, "enc.0.q")
		for i := range a1 {
			if math.Float32bits(a1[i]) != math.Float32bits(a2[i]) {
				t.Fatalf("%v: Project not bit-identical at %d", kind, i)
			}
		}
		for i := range b1 {
			if math.Float32bits(b1[i]) != math.Float32bits(b2[i]) {
				t.Fatalf("%v: ProjectT not bit-identical at %d", kind, i)
			}
		}
		// Another seed or another name gives an unrelated projection.
		for _, other := range []struct {
			seed uint64
			name string
		}{{6, "enc.0.q"}, {5, "enc.0.k"}} {
			a3, _ := run(other.seed, other.name)
			c := dot64(a1, a3) / (norm64(a1) * norm64(a3))
			if math.Abs(c) > 0.3 {
				t.Fatalf("%v: seed %d name %q correlates %g with the original", kind, other.seed, other.name, c)
			}
		}
	}
}

// TestFastfoodFormula checks Project against H G Pi H B built explicitly in
// float64 from fwht.Fastfood's B, G and Pi, including d > n (L covers d).
func TestFastfoodFormula(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, sh := range [][2]int{{1, 1}, {3, 5}, {9, 8}, {20, 6}, {13, 100}} {
		d, n := sh[0], sh[1]
		p, err := NewFastfood(11, "x", d, n)
		if err != nil {
			t.Fatal(err)
		}
		f := p.Fastfood()
		x := randVec(r, d)
		got := make([]float32, n)
		p.Project(got, x, nil)
		l := p.L()
		if l < d || l < n || l&(l-1) != 0 || l >= 2*max(d, n) {
			t.Fatalf("d=%d n=%d: L=%d", d, n, l)
		}
		v := make([]float64, l)
		for i := range d {
			v[i] = float64(f.Sign(i)) * float64(x[i])
		}
		v = hadamard64(v)
		w := make([]float64, l)
		var g2 float64
		for i, g := range f.G() {
			g2 += float64(g) * float64(g)
			w[i] = float64(g) * v[f.Perm(i)]
		}
		w = hadamard64(w)
		for i := range n {
			want := w[i] / (math.Sqrt(g2) * math.Sqrt(float64(n)))
			if math.Abs(float64(got[i])-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("d=%d n=%d: row %d got %g want %g", d, n, i, got[i], want)
			}
		}
	}
}

// hadamard64 is H v by the definition H_ij = (-1)^popcount(i&j).
func hadamard64(v []float64) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		for j := range v {
			s := 1.0
			for b := i & j; b != 0; b &= b - 1 {
				s = -s
			}
			out[i] += s * v[j]
		}
	}
	return out
}

// TestSparseDensity checks the fraction of nonzeros (1/s) and the values.
func TestSparseDensity(t *testing.T) {
	d, n := 400, 2500 // s = 50: expect 50 nonzeros per column
	p := NewSparse(1, "w", d, n)
	nnz := 0
	for _, col := range denseOf(p) {
		for _, v := range col {
			if v != 0 {
				nnz++
				if math.Abs(math.Abs(v)-math.Sqrt(50.0/2500)) > 1e-6 {
					t.Fatalf("entry %g, want +-%g", v, math.Sqrt(50.0/2500))
				}
			}
		}
	}
	if per := float64(nnz) / float64(d); math.Abs(per-50) > 3 {
		t.Fatalf("%g nonzeros per column, want 50", per)
	}
}

func TestNewProjectorErrors(t *testing.T) {
	if _, err := NewProjector(Fastfood, 1, "w", 0, 5); err == nil {
		t.Fatal("d=0 accepted")
	}
	if _, err := NewProjector(Dense, 1, "w", 5, 0); err == nil {
		t.Fatal("n=0 accepted")
	}
	if _, err := NewProjector(Kind(9), 1, "w", 5, 5); err == nil {
		t.Fatal("unknown kind accepted")
	}
	for _, k := range allKinds {
		if got, err := ParseKind(k.String()); err != nil || got != k {
			t.Fatalf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ParseKind("gaussian"); err == nil {
		t.Fatal("ParseKind accepted gaussian")
	}
}

// TestFastfoodSplitExact: when every power-of-two piece of n is at least d,
// the split projector's columns have norm 1 up to rounding, and its state
// is only the pieces' Feistel tables and structs (a few hundred bytes
// each, independent of the piece's size).
func TestFastfoodSplitExact(t *testing.T) {
	d, n := 50, 1024+256+64 // pieces 1024, 256, 64
	p, err := NewFastfoodSplit(3, "w", d, n)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pieces() != 3 {
		t.Fatalf("%d pieces, want 3", p.Pieces())
	}
	if sb := p.StateBytes(); sb > 3*512 { // struct + tables per piece, none per element
		t.Fatalf("state %d bytes for n=%d", sb, n)
	}
	for j, col := range denseOf(p) {
		var s float64
		for _, v := range col {
			s += v * v
		}
		if math.Abs(math.Sqrt(s)-1) > 1e-5 {
			t.Fatalf("column %d has norm %g", j, math.Sqrt(s))
		}
	}
}

// TestFastfoodStateBytes: the Fastfood projectors report fwht.Fastfood's
// state (no per-element G), so a 2^22-element tensor costs a few KiB.
func TestFastfoodStateBytes(t *testing.T) {
	const d, n = 1000, 1<<22 - 1000
	p, err := NewFastfood(1, "w", d, n)
	if err != nil {
		t.Fatal(err)
	}
	f := p.Fastfood()
	if sb := p.StateBytes(); sb < f.StateBytes() || sb > f.StateBytes()+256 {
		t.Fatalf("Fastfood state %d bytes, fwht.Fastfood holds %d", sb, f.StateBytes())
	}
	if sb := p.StateBytes(); sb > n/100 {
		t.Fatalf("Fastfood state %d bytes for n=%d: more than 0.01 byte per element", sb, n)
	}
	q, err := NewFastfoodSplit(1, "w", d, n)
	if err != nil {
		t.Fatal(err)
	}
	if sb := q.StateBytes(); sb < int64(q.Pieces())*f.StateBytes()/8 || sb > n/50 {
		t.Fatalf("FastfoodSplit state %d bytes for n=%d in %d pieces", sb, n, q.Pieces())
	}
}

// TestFastfoodLarge checks the pooled path of the Fastfood projectors
// (transforms of length >= ffParallelMin) against the serial transforms.
func TestFastfoodLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	d, n := 100, ffParallelMin+3
	x, y := randVec(r, d), randVec(r, n)
	same := func(what string, got, want []float32) {
		t.Helper()
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-5*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("%s[%d] = %v, serial %v", what, i, got[i], want[i])
			}
		}
	}
	p, err := NewFastfood(3, "big.weight", d, n)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float32, 2*p.l)
	px, want := make([]float32, n), make([]float32, n)
	p.Project(px, x, nil)
	if err := p.f.Apply(want, x, s); err != nil {
		t.Fatal(err)
	}
	same("Fastfood.Project", px, want)
	pty, wantT := make([]float32, d), make([]float32, d)
	p.ProjectT(pty, y, nil)
	if err := p.f.ApplyT(wantT, y, s); err != nil {
		t.Fatal(err)
	}
	same("Fastfood.ProjectT", pty, wantT)

	sp, err := NewFastfoodSplit(3, "big.weight", d, n)
	if err != nil {
		t.Fatal(err)
	}
	pc := sp.pieces[0] // the 2^16 piece
	if pc.l < ffParallelMin {
		t.Fatalf("first piece has length %d", pc.l)
	}
	s = make([]float32, 2*pc.l)
	sp.Project(px, x, nil)
	if err := pc.f.Apply(want[:pc.n], x, s); err != nil {
		t.Fatal(err)
	}
	for i := range want[:pc.n] {
		want[i] *= pc.w
	}
	same("FastfoodSplit.Project", px[:pc.n], want[:pc.n])
}
