package fwht

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// denseFastfoodBlock builds P column by column in float64 from the
// definition, through the parts FastfoodBlock exposes (Sign, GInt,
// BlockPerm).
func denseFastfoodBlock(f *FastfoodBlock) [][]float64 {
	d, n, l := f.Dims()
	g := make([]float64, l)
	var ss float64
	for k := range g {
		g[k] = float64(f.GInt(k))
		ss += g[k] * g[k]
	}
	sc := 1 / (math.Sqrt(ss) * math.Sqrt(float64(n)))
	cols := make([][]float64, d)
	for j := range cols {
		v := make([]float64, l)
		v[j] = float64(f.Sign(j))
		_ = Transform64(v)
		col := make([]float64, 0, f.Blocks()*l)
		for i := range f.Blocks() {
			w := make([]float64, l)
			for k := range w {
				pi, gk := f.BlockPerm(i, k)
				w[k] = float64(gk) * v[pi]
			}
			_ = Transform64(w)
			col = append(col, w...)
		}
		cols[j] = col[:n]
		for i := range cols[j] {
			cols[j][i] *= sc
		}
	}
	return cols
}

var ffbShapes = [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 8}, {8, 3}, {17, 100}, {100, 17}, {32, 32}, {33, 65}, {64, 64}, {200, 1000}, {1000, 10}, {31, 1000}}

func TestFastfoodBlockDense(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	cpu.ForEachImpl(t, func(t *testing.T) {
		for _, sh := range ffbShapes {
			d, n := sh[0], sh[1]
			f, err := NewFastfoodBlock(42, "layer.0.weight", d, n)
			if err != nil {
				t.Fatal(err)
			}
			cols := denseFastfoodBlock(f)
			x, y := randVec(r, d), randVec(r, n)
			const g = float32(-7.75e13)
			px := make([]float32, n+2)
			pty := make([]float32, d+2)
			px[0], px[n+1], pty[0], pty[d+1] = g, g, g, g
			scratch := make([]float32, f.ScratchLen())
			if err := f.Apply(px[1:n+1], x, scratch); err != nil {
				t.Fatal(err)
			}
			if err := f.ApplyT(pty[1:d+1], y, scratch); err != nil {
				t.Fatal(err)
			}
			if px[0] != g || px[n+1] != g || pty[0] != g || pty[d+1] != g {
				t.Fatalf("d=%d n=%d: write outside the output", d, n)
			}
			var nx, ny float64
			for _, v := range x {
				nx += float64(v) * float64(v)
			}
			for _, v := range y {
				ny += float64(v) * float64(v)
			}
			for i := range n {
				var want float64
				for j := range d {
					want += cols[j][i] * float64(x[j])
				}
				if got := float64(px[1+i]); math.IsNaN(got) || math.Abs(got-want) > 1e-5*math.Sqrt(nx)+1e-6 {
					t.Fatalf("d=%d n=%d: (P x)[%d] = %g, want %g", d, n, i, got, want)
				}
			}
			for j := range d {
				var want float64
				for i := range n {
					want += cols[j][i] * float64(y[i])
				}
				if got := float64(pty[1+j]); math.IsNaN(got) || math.Abs(got-want) > 1e-5*math.Sqrt(ny)+1e-6 {
					t.Fatalf("d=%d n=%d: (P^T y)[%d] = %g, want %g", d, n, j, got, want)
				}
			}
		}
	})
}

func TestFastfoodBlockAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	shapes := append(ffbShapes, [2]int{1000, 70000}, [2]int{3000, 300}, [2]int{20000, 100003})
	for _, sh := range shapes {
		d, n := sh[0], sh[1]
		f, err := NewFastfoodBlock(7, "adj", d, n)
		if err != nil {
			t.Fatal(err)
		}
		checkAdjoint(t, r, f, d, n)
	}
}

func TestFastfoodBlockColumnNorms(t *testing.T) {
	// Squared column norms are 1 in expectation, exactly when L divides n;
	// bounds as in TestFastfoodColumnNorms.
	for _, sh := range [][3]int{{256, 600, 0}, {256, 1024, 1}, {200, 4096, 1}, {2000, 700, 0}, {100, 5000, 0}} {
		d, n, exact := sh[0], sh[1], sh[2] == 1
		f, _ := NewFastfoodBlock(3, "norms", d, n)
		scratch := make([]float32, f.ScratchLen())
		e := make([]float32, d)
		col := make([]float32, n)
		var mean float64
		for j := range d {
			clear(e)
			e[j] = 1
			_ = f.Apply(col, e, scratch)
			s := dot64(col, col)
			mean += s / float64(d)
			if exact && math.Abs(s-1) > 1e-4 {
				t.Fatalf("d=%d n=%d: column %d has squared norm %g, want 1", d, n, j, s)
			}
			if math.Abs(s-1) > 0.44 {
				t.Fatalf("d=%d n=%d: column %d has squared norm %g", d, n, j, s)
			}
		}
		if math.Abs(mean-1) > 0.05 {
			t.Fatalf("d=%d n=%d: mean squared column norm %g", d, n, mean)
		}
	}
}

// TestFastfoodBlockOrthogonality checks that distinct columns are nearly
// orthogonal (|<P e_i, P e_j>| ~ 1/sqrt(n)), also across blocks that share
// v: the blocks must not repeat each other.
func TestFastfoodBlockOrthogonality(t *testing.T) {
	d, n := 64, 64*256
	f, _ := NewFastfoodBlock(9, "orth", d, n)
	scratch := make([]float32, f.ScratchLen())
	cols := make([][]float32, d)
	for j := range cols {
		e := make([]float32, d)
		e[j] = 1
		cols[j] = make([]float32, n)
		_ = f.Apply(cols[j], e, scratch)
	}
	lim := 6 / math.Sqrt(float64(n))
	for i := range d {
		for j := range i {
			if c := dot64(cols[i], cols[j]); math.Abs(c) > lim {
				t.Fatalf("columns %d, %d: inner product %g > %g", i, j, c, lim)
			}
		}
	}
	// Two blocks of one column: correlation ~ N(0, 1/L).
	l := 64
	for i := 1; i < 256; i++ {
		a, b := cols[0][:l], cols[0][i*l:(i+1)*l]
		c := dot64(a, b) / math.Sqrt(dot64(a, a)*dot64(b, b))
		if math.Abs(c) > 6/math.Sqrt(float64(l)) {
			t.Fatalf("blocks 0 and %d of column 0 correlate: %g", i, c)
		}
	}
}

func TestFastfoodBlockPermBijection(t *testing.T) {
	for _, d := range []int{1, 32, 100, 1000, 5000} {
		f, _ := NewFastfoodBlock(5, "perm", d, 1<<20)
		_, _, l := f.Dims()
		seen := make([]int, l)
		gabs, want := make([]float64, l), make([]float64, l)
		for k := range want {
			want[k] = math.Abs(float64(f.GInt(k)))
		}
		slices.Sort(want)
		for _, i := range []int{0, 1, 2, 77, f.Blocks() - 1} {
			for k := range l {
				pi, gk := f.BlockPerm(i, k)
				if pi < 0 || pi >= l {
					t.Fatalf("L=%d block %d: pi(%d) = %d", l, i, k, pi)
				}
				seen[pi]++
				gabs[k] = math.Abs(float64(gk))
			}
			// |G_i,k| over k is a permutation of |g|.
			slices.Sort(gabs)
			if !slices.Equal(gabs, want) {
				t.Fatalf("L=%d block %d: |G_i| is not a permutation of |g|", l, i)
			}
		}
		for k := range seen {
			if seen[k] != 5 {
				t.Fatalf("L=%d: %d hit %d times over 5 blocks, want 5", l, k, seen[k])
			}
		}
		// Different blocks have different permutations.
		same := 0
		for k := range l {
			a, _ := f.BlockPerm(0, k)
			b, _ := f.BlockPerm(1, k)
			if a == b {
				same++
			}
		}
		if same == l {
			t.Fatalf("L=%d: blocks 0 and 1 have the same permutation", l)
		}
	}
}

// TestFastfoodBlockPortable pins the projection for one (seed, key) across
// implementations and platforms (CI runs it under arm64 emulation too):
// adapters store only the seed.
func TestFastfoodBlockPortable(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		f, _ := NewFastfoodBlock(1234, "encoder.layer.3.output.dense.weight", 100, 3000)
		x := make([]float32, 100)
		for j := range x {
			x[j] = float32(j%7) - 3
		}
		y := make([]float32, 3000)
		for i := range y {
			y[i] = float32(i%5) - 2
		}
		scratch := make([]float32, f.ScratchLen())
		px, pty := make([]float32, 3000), make([]float32, 100)
		_ = f.Apply(px, x, scratch)
		_ = f.ApplyT(pty, y, scratch)
		h := fnv.New64a()
		for _, v := range append(px, pty...) {
			b := math.Float32bits(v)
			h.Write([]byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)})
		}
		const want = 0xe43b5d833528419f
		if got := h.Sum64(); got != want {
			t.Fatalf("projection hash %#x, want %#x", got, uint64(want))
		}
	})
}

func TestFastfoodBlockDeterministicAndKeyed(t *testing.T) {
	r := rand.New(rand.NewPCG(25, 26))
	d, n := 500, 4096
	x := randVec(r, d)
	out := func(seed uint64, key string) []float32 {
		f, err := NewFastfoodBlock(seed, key, d, n)
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float32, n)
		_ = f.Apply(y, x, make([]float32, f.ScratchLen()))
		return y
	}
	a, a2 := out(1, "q.weight"), out(1, "q.weight")
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(a2[i]) {
			t.Fatalf("same seed and key, different output at %d", i)
		}
	}
	corr := func(p, q []float32) float64 { return dot64(p, q) / math.Sqrt(dot64(p, p)*dot64(q, q)) }
	for _, o := range [][]float32{out(1, "k.weight"), out(2, "q.weight")} {
		if c := corr(a, o); math.Abs(c) > 6.0/64 {
			t.Fatalf("outputs for different seed/key correlate: %g", c)
		}
	}
}

func TestFastfoodBlockErrors(t *testing.T) {
	if _, err := NewFastfoodBlock(1, "x", 0, 5); err == nil {
		t.Fatal("d=0 accepted")
	}
	if _, err := NewFastfoodBlock(1, "x", 5, 0); err == nil {
		t.Fatal("n=0 accepted")
	}
	f, _ := NewFastfoodBlock(1, "x", 5, 40)
	if err := f.Apply(make([]float32, 39), make([]float32, 5), make([]float32, f.ScratchLen())); err == nil {
		t.Fatal("short dst accepted")
	}
	if err := f.ApplyT(make([]float32, 5), make([]float32, 40), make([]float32, f.ScratchLen()-1)); err == nil {
		t.Fatal("short scratch accepted")
	}
}

func TestFastfoodBlockNoAlloc(t *testing.T) {
	f, _ := NewFastfoodBlock(1, "x", 1000, 100000)
	s := make([]float32, f.ScratchLen())
	x, y := make([]float32, 1000), make([]float32, 100000)
	if a := testing.AllocsPerRun(3, func() { _ = f.Apply(y, x, s); _ = f.ApplyT(x, y, s) }); a != 0 {
		t.Fatalf("%v allocations per Apply+ApplyT", a)
	}
}

func BenchmarkFastfoodBlock(b *testing.B) {
	for _, sh := range [][2]int{{1000, 1 << 22}, {20000, 1 << 22}} {
		d, n := sh[0], sh[1]
		f, _ := NewFastfoodBlock(1, "bench", d, n)
		s := make([]float32, f.ScratchLen())
		x, y := make([]float32, d), make([]float32, n)
		for i := range x {
			x[i] = 1
		}
		b.Run("apply/d="+itoa(d), func(b *testing.B) {
			b.SetBytes(4 * int64(n))
			for b.Loop() {
				_ = f.Apply(y, x, s)
			}
		})
		b.Run("applyT/d="+itoa(d), func(b *testing.B) {
			b.SetBytes(4 * int64(n))
			for b.Loop() {
				_ = f.ApplyT(x, y, s)
			}
		})
		ff, _ := NewFastfood(1, "bench", d, n)
		s2 := make([]float32, ff.ScratchLen())
		b.Run("fastfood-apply/d="+itoa(d), func(b *testing.B) {
			b.SetBytes(4 * int64(n))
			for b.Loop() {
				_ = ff.Apply(y, x, s2)
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0 || s == ""; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// checkBlockKernels compares the SIMD block kernels with the generic
// loops, bit for bit, with guard values after the outputs.
func checkBlockKernels(t *testing.T, d, i int, seed uint64) {
	f, err := NewFastfoodBlock(seed, "kern", d, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	_, _, l := f.Dims()
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	v, gt := randVec(r, l), make([]float32, l)
	f.PrepareT(gt)
	work := make([]float32, f.WorkLen())
	sw := f.signWords(work)
	f.params(i, sw)
	const g = float32(-7.75e13)
	want, got := make([]float32, l+1), make([]float32, l+1)
	want[l], got[l] = g, g
	f.gather(want[:l], v, gt, i)
	if !f.gatherSIMD(got[:l], v, gt, i, sw) {
		t.Skip("no SIMD kernel")
	}
	for k := range want {
		if math.Float32bits(got[k]) != math.Float32bits(want[k]) {
			t.Fatalf("L=%d block %d: gather[%d] = %g, generic %g", l, i, k, got[k], want[k])
		}
	}
	acc0 := randVec(r, l)
	w := randVec(r, l)
	accW, accG := append(append([]float32(nil), acc0...), g), append(append([]float32(nil), acc0...), g)
	f.scatterAdd(accW[:l], w, gt, i)
	wg := append([]float32(nil), w...)
	f.gatherTSIMD(accG[:l], wg, gt, i, sw)
	for k := range accW {
		if math.Float32bits(accG[k]) != math.Float32bits(accW[k]) {
			t.Fatalf("L=%d block %d: transposed acc[%d] = %g, generic %g", l, i, k, accG[k], accW[k])
		}
	}
}

func TestFastfoodBlockKernels(t *testing.T) {
	for lg := fastfoodBlockLgMin; lg <= 16; lg++ {
		for _, i := range []int{0, 1, 5, 1000} {
			checkBlockKernels(t, 1<<lg, i, uint64(lg))
		}
	}
}

func FuzzFastfoodBlockKernels(f *testing.F) {
	f.Add(uint8(7), uint16(0), uint64(1))
	f.Add(uint8(10), uint16(3), uint64(2))
	f.Fuzz(func(t *testing.T, lg uint8, i uint16, seed uint64) {
		lg = fastfoodBlockLgMin + lg%10
		checkBlockKernels(t, 1<<lg, int(i), seed)
	})
}
