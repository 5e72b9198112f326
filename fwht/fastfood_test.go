package fwht

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// denseFastfood builds P column by column from its definition in float64,
// from the parts the Fastfood exposes (G, Pi, B).
func denseFastfood(f *Fastfood) [][]float64 {
	d, n, l := f.Dims()
	gs := f.G()
	var ss float64
	for _, g := range gs {
		ss += float64(g) * float64(g)
	}
	sc := 1 / (math.Sqrt(ss) * math.Sqrt(float64(n)))
	cols := make([][]float64, d)
	for j := range cols {
		v := make([]float64, l)
		v[j] = float64(f.Sign(j))
		_ = Transform64(v)
		w := make([]float64, l)
		for k := range w {
			w[k] = float64(gs[k]) * v[f.Perm(k)]
		}
		_ = Transform64(w)
		cols[j] = w[:n]
		for i := range cols[j] {
			cols[j][i] *= sc
		}
	}
	return cols
}

func dot64(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

var ffShapes = [][2]int{{1, 1}, {1, 5}, {5, 1}, {3, 8}, {8, 3}, {17, 100}, {100, 17}, {64, 64}, {200, 1000}, {1000, 10}}

func TestFastfoodDense(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cpu.ForEachImpl(t, func(t *testing.T) {
		for _, sh := range ffShapes {
			d, n := sh[0], sh[1]
			f, err := NewFastfood(42, "layer.0.weight", d, n)
			if err != nil {
				t.Fatal(err)
			}
			cols := denseFastfood(f)
			x := randVec(r, d)
			y := randVec(r, n)
			scratch := make([]float32, f.ScratchLen())
			px := make([]float32, n)
			pty := make([]float32, d)
			if err := f.Apply(px, x, scratch); err != nil {
				t.Fatal(err)
			}
			if err := f.ApplyT(pty, y, scratch); err != nil {
				t.Fatal(err)
			}
			var nrm, err1, nrmT, errT float64
			for i := 0; i < n; i++ {
				var want float64
				for j := 0; j < d; j++ {
					want += cols[j][i] * float64(x[j])
				}
				nrm += want * want
				err1 = max(err1, math.Abs(float64(px[i])-want))
			}
			for j := 0; j < d; j++ {
				var want float64
				for i := 0; i < n; i++ {
					want += cols[j][i] * float64(y[i])
				}
				nrmT += want * want
				errT = max(errT, math.Abs(float64(pty[j])-want))
			}
			if err1 > 1e-5*math.Sqrt(nrm)+1e-6 || errT > 1e-5*math.Sqrt(nrmT)+1e-6 {
				t.Fatalf("d=%d n=%d: max error of P x %g (|Px| %g), of P^T y %g (|P^T y| %g)", d, n, err1, math.Sqrt(nrm), errT, math.Sqrt(nrmT))
			}
		}
	})
}

func TestFastfoodAdjoint(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	shapes := append(ffShapes, [2]int{3000, 70000}, [2]int{70000, 300})
	for _, sh := range shapes {
		d, n := sh[0], sh[1]
		f, err := NewFastfood(7, "adj", d, n)
		if err != nil {
			t.Fatal(err)
		}
		checkAdjoint(t, r, f, d, n)
	}
}

// projection is what Fastfood and FastfoodBlock share for the adjoint test.
type projection interface {
	ScratchLen() int
	Apply(dst, x, scratch []float32) error
	ApplyT(dst, y, scratch []float32) error
}

// checkAdjoint fails the test unless <P x, y> = <x, P^T y> to 1e-5
// relative for random x (length d) and y (length n).
func checkAdjoint(t *testing.T, r *rand.Rand, f projection, d, n int) {
	t.Helper()
	scratch := make([]float32, f.ScratchLen())
	x, y := randVec(r, d), randVec(r, n)
	px, pty := make([]float32, n), make([]float32, d)
	_ = f.Apply(px, x, scratch)
	_ = f.ApplyT(pty, y, scratch)
	a, b := dot64(px, y), dot64(x, pty)
	scale := math.Sqrt(dot64(px, px) * dot64(y, y))
	if math.Abs(a-b) > 1e-5*scale {
		t.Fatalf("d=%d n=%d: <Px,y> = %g, <x,P^T y> = %g (scale %g)", d, n, a, b, scale)
	}
}

func TestFastfoodColumnNorms(t *testing.T) {
	// n < L: squared column norms are 1 in expectation with relative spread
	// about sqrt(2/n) = 0.058 at n = 600; we allow 7.5 of those for any one
	// column and 0.05 for the mean over all columns.
	for _, sh := range [][3]int{{256, 600, 0}, {256, 1024, 1}, {2000, 700, 0}} {
		d, n, exact := sh[0], sh[1], sh[2] == 1
		f, _ := NewFastfood(3, "norms", d, n)
		scratch := make([]float32, f.ScratchLen())
		e := make([]float32, d)
		col := make([]float32, n)
		var mean float64
		for j := 0; j < d; j++ {
			clear(e)
			e[j] = 1
			_ = f.Apply(col, e, scratch)
			s := dot64(col, col)
			mean += s / float64(d)
			if exact && math.Abs(s-1) > 1e-4 {
				t.Fatalf("n = L = %d: column %d has squared norm %g, want 1", n, j, s)
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

func TestFastfoodDeterministicAndKeyed(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	d, n := 500, 4096
	x := randVec(r, d)
	out := func(seed uint64, key string) []float32 {
		f, err := NewFastfood(seed, key, d, n)
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float32, n)
		_ = f.Apply(y, x, make([]float32, f.ScratchLen()))
		return y
	}
	a, a2 := out(1, "encoder.layer.0.attention.self.query.weight"), out(1, "encoder.layer.0.attention.self.query.weight")
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(a2[i]) {
			t.Fatalf("same seed and key, different output at %d: %v vs %v", i, a[i], a2[i])
		}
	}
	corr := func(p, q []float32) float64 { return dot64(p, q) / math.Sqrt(dot64(p, p)*dot64(q, q)) }
	// Independent outputs have correlation ~ N(0, 1/n): 1/64 here; allow 6.
	for _, o := range [][]float32{
		out(1, "encoder.layer.0.attention.self.key.weight"),
		out(2, "encoder.layer.0.attention.self.query.weight"),
		out(1, "encoder.layer.0.attention.self.query.weigh"),
	} {
		if c := corr(a, o); math.Abs(c) > 6.0/64 {
			t.Fatalf("outputs for different seed/key correlate: %g", c)
		}
	}
}

// TestFastfoodPortable pins the projection for one (seed, key): it must be
// the same on every platform (CI runs this test under arm64 emulation too),
// since adapters store only the seed. The hash covers G, Pi, B and the
// output of Apply and ApplyT, computed with every implementation.
func TestFastfoodPortable(t *testing.T) {
	f, _ := NewFastfood(20260101, "roberta.embeddings.word_embeddings.weight", 3, 1000)
	h := uint64(0xcbf29ce484222325)
	add := func(v uint64) { h = (h ^ v) * 0x100000001b3 }
	for _, g := range f.G() {
		add(uint64(math.Float32bits(g)))
	}
	for k := 0; k < 1024; k++ {
		add(uint64(f.Perm(k)))
		add(uint64(math.Float32bits(f.Sign(k))))
	}
	const want = 0x7c39ae882aed317e // recorded on amd64, checked on arm64
	if h != want {
		t.Errorf("projection hash %#x, want %#x: the generator changed, which breaks stored adapters", h, uint64(want))
	}
	g, _ := NewFastfood(20260101, "roberta.encoder.layer.0.attention.self.query.weight", 1000, 5000)
	x, y := make([]float32, 1000), make([]float32, 5000)
	for i := range x {
		x[i] = float32(i%7) - 3
	}
	for i := range y {
		y[i] = float32(i%11) - 5
	}
	scratch := make([]float32, g.ScratchLen())
	cpu.ForEachImpl(t, func(t *testing.T) {
		px, pty := make([]float32, 5000), make([]float32, 1000)
		_ = g.Apply(px, x, scratch)
		_ = g.ApplyT(pty, y, scratch)
		h := uint64(0xcbf29ce484222325)
		for _, v := range append(px, pty...) {
			h = (h ^ uint64(math.Float32bits(v))) * 0x100000001b3
		}
		const want = 0x01c862b7e34a3ba6 // recorded on amd64 (avx512, avx2, generic), checked on arm64 (neon, generic)
		if h != want {
			t.Errorf("hash of Apply and ApplyT outputs %#x, want %#x", h, uint64(want))
		}
	})
}

func TestFastfoodPermBijection(t *testing.T) {
	for lg := 0; lg <= 16; lg++ {
		f, _ := NewFastfood(5, "perm", 1<<lg, 1)
		seen := make([]bool, 1<<lg)
		fixed := 0
		for k := range seen {
			p := f.Perm(k)
			if p < 0 || p >= len(seen) || seen[p] {
				t.Fatalf("L=2^%d: pi(%d) = %d repeats or is out of range", lg, k, p)
			}
			seen[p] = true
			if p == k {
				fixed++
			}
		}
		if lg >= 8 && fixed > 8 {
			t.Fatalf("L=2^%d: %d fixed points (a random permutation has ~1)", lg, fixed)
		}
	}
}

func TestFastfoodParallelNoAlloc(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	d, n := 1000, 1<<17
	f, _ := NewFastfood(8, "par", d, n)
	scratch := make([]float32, f.ScratchLen())
	x, y := randVec(r, d), randVec(r, n)
	a, b := make([]float32, n), make([]float32, n)
	_ = f.Apply(a, x, scratch)
	_ = f.ApplyParallel(b, x, scratch, 0)
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Fatalf("ApplyParallel differs at %d", i)
		}
	}
	at, bt := make([]float32, d), make([]float32, d)
	_ = f.ApplyT(at, y, scratch)
	_ = f.ApplyTParallel(bt, y, scratch, 0)
	for i := range at {
		if math.Float32bits(at[i]) != math.Float32bits(bt[i]) {
			t.Fatalf("ApplyTParallel differs at %d", i)
		}
	}
	g, _ := NewFastfood(8, "small", 100, 3000)
	s2 := make([]float32, g.ScratchLen())
	x2, o2 := randVec(r, 100), make([]float32, 3000)
	if allocs := testing.AllocsPerRun(20, func() { _ = g.Apply(o2, x2, s2); _ = g.ApplyT(x2, o2, s2) }); allocs != 0 {
		t.Fatalf("Apply+ApplyT allocate %v times", allocs)
	}
}

func TestFastfoodErrors(t *testing.T) {
	if _, err := NewFastfood(1, "k", 0, 5); err == nil {
		t.Fatal("d=0 accepted")
	}
	if _, err := NewFastfood(1, "k", 5, -1); err == nil {
		t.Fatal("n=-1 accepted")
	}
	if _, err := NewFastfood(1, "k", 1<<31+1, 5); err == nil {
		t.Fatal("d=2^31+1 accepted")
	}
	f, _ := NewFastfood(1, "k", 5, 9)
	s := make([]float32, f.ScratchLen())
	if f.Apply(make([]float32, 9), make([]float32, 4), s) == nil ||
		f.Apply(make([]float32, 8), make([]float32, 5), s) == nil ||
		f.Apply(make([]float32, 9), make([]float32, 5), s[:10]) == nil ||
		f.ApplyT(make([]float32, 9), make([]float32, 5), s) == nil ||
		f.ApplyT(make([]float32, 5), make([]float32, 9), s) != nil {
		t.Fatal("length checks wrong")
	}
}

// TestPermuteImpls checks G Pi and Pi^T G on sub-ranges (every start
// 0..33 and end L-33..L at some sizes), with every implementation, against
// the definition through Perm and gInt, bit for bit; elements the range
// does not own and guards after dst must stay untouched.
func TestPermuteImpls(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const guard = 16
	sentinel := math.Float32frombits(0x7fc0dead)
	cpu.ForEachImpl(t, func(t *testing.T) {
		for lg := 0; lg <= 14; lg++ {
			l := 1 << lg
			f, _ := NewFastfood(9, "permute", l, 1)
			src := randVec(r, l)
			want, wantT := make([]float32, l), make([]float32, l)
			for k := 0; k < l; k++ {
				want[k] = f.gInt(k) * src[f.Perm(k)]
				wantT[f.Perm(k)] = f.gInt(k) * src[k]
			}
			ranges := [][2]int{{0, l}, {0, l / 2}, {l / 3, l}, {1, l - 1}, {17, l - 5}}
			if lg == 6 || lg == 9 || lg == 12 {
				for a := 0; a <= 33; a++ {
					ranges = append(ranges, [2]int{a, l - a}, [2]int{a, l}, [2]int{0, l - a}, [2]int{a, a + 40})
				}
			}
			buf := make([]float32, l+guard)
			for _, rg := range ranges {
				lo, hi := rg[0], rg[1]
				if lo > hi || hi > l {
					continue
				}
				for _, tr := range []bool{false, true} {
					for i := range buf {
						buf[i] = sentinel
					}
					dst := buf[:l]
					f.permuteRange(dst, src, lo, hi, tr)
					owned := make([]bool, l)
					for k := lo; k < hi; k++ {
						i, w := k, want[k]
						if tr {
							i = f.Perm(k)
							w = wantT[i]
						}
						owned[i] = true
						if math.Float32bits(dst[i]) != math.Float32bits(w) {
							t.Fatalf("L=%d range [%d,%d) transpose=%v: element %d = %v, want %v", l, lo, hi, tr, i, dst[i], w)
						}
					}
					for i, v := range buf {
						if (i >= l || !owned[i]) && math.Float32bits(v) != math.Float32bits(sentinel) {
							t.Fatalf("L=%d range [%d,%d) transpose=%v: element %d (not in range, or a guard) written: %v", l, lo, hi, tr, i, v)
						}
					}
				}
			}
		}
	})
}

// FuzzFastfoodPermute compares every implementation's permutation pass with
// the generic one, bit for bit (NaNs included), on a fuzzed projection,
// range and data.
func FuzzFastfoodPermute(f *testing.F) {
	f.Add(uint64(1), uint8(10), uint16(3), uint16(1000), false, []byte("fastfood permutation seed data"))
	f.Add(uint64(7), uint8(17), uint16(16), uint16(65535), true, []byte{0, 0, 0xc0, 0x7f, 0, 0, 0x80, 0xff, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, seed uint64, lg uint8, lo, hi uint16, tr bool, data []byte) {
		lg %= 18
		l := 1 << lg
		a, b := int(lo)%(l+1), int(hi)%(l+1)
		a, b = min(a, b), max(a, b)
		ff, err := NewFastfood(seed, "fuzz", l, 1)
		if err != nil {
			t.Fatal(err)
		}
		src := make([]float32, l)
		for i := range src {
			if len(data) >= 4 {
				j := 4 * (i % (len(data) / 4))
				src[i] = math.Float32frombits(uint32(data[j]) | uint32(data[j+1])<<8 | uint32(data[j+2])<<16 | uint32(data[j+3])<<24)
			} else {
				src[i] = float32(i%7) - 3
			}
		}
		want := make([]float32, l)
		func() {
			defer cpu.DisableAVX512()()
			defer cpu.DisableAVX2()()
			ff.permuteRange(want, src, a, b, tr)
		}()
		for _, im := range cpu.Impls() {
			func() {
				defer im.Select()()
				got := make([]float32, l)
				ff.permuteRange(got, src, a, b, tr)
				for i := range got {
					g, w := got[i], want[i]
					if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
						t.Fatalf("%s: L=%d range [%d,%d) transpose=%v: element %d = %v, generic %v", im.Name, l, a, b, tr, i, g, w)
					}
				}
			}()
		}
	})
}

// TestGDistribution checks the regenerated diagonal: odd integers in
// [-2041, 2041] before scaling; after it, mean 0, variance 1, fourth moment
// 2.85 (Irwin-Hall(8); a Gaussian's is 3), tail frequencies as computed
// exactly for the distribution, symmetric tails; G() agrees with the
// kernels' gInt, and ||G|| and Scale are exact.
func TestGDistribution(t *testing.T) {
	const l = 1 << 20
	f, _ := NewFastfood(123, "dist", l, l)
	g := f.G()
	c := 1 / math.Sqrt(gVar)
	var s1, s2, s4 float64
	tail := make([]int, 4) // |G| > 1, 2, 3, 4
	var pos, neg int
	for k, v := range g {
		gi := f.gInt(k)
		if gi != float32(int32(gi)) || int32(gi)%2 == 0 || math.Abs(float64(gi)) > 2041 {
			t.Fatalf("gInt(%d) = %v, want an odd integer in [-2041, 2041]", k, gi)
		}
		if v != float32(float64(gi)*c) {
			t.Fatalf("G()[%d] = %v, gInt %v", k, v, gi)
		}
		x := float64(v)
		s1 += x
		s2 += x * x
		s4 += x * x * x * x
		for i := range tail {
			if math.Abs(x) > float64(i+1) {
				tail[i]++
			}
		}
		if x > 2 {
			pos++
		} else if x < -2 {
			neg++
		}
	}
	m, v, k4 := s1/l, s2/l, s4/l
	// Standard errors at L = 2^20: mean 0.001, variance 0.0014 (Irwin-Hall
	// kurtosis), fourth moment ~0.01.
	if math.Abs(m) > 0.006 || math.Abs(v-1) > 0.008 || math.Abs(k4-2.85) > 0.06 {
		t.Fatalf("mean %g, variance %g, fourth moment %g; want 0, 1, 2.85", m, v, k4)
	}
	// Exact tail probabilities of the distribution drawn (by convolution of
	// the byte distributions), and a Gaussian's for comparison: it is
	// lighter-tailed beyond about 2.5 sigma and ends at 4.88.
	want := []float64{0.32367, 0.044063, 0.0016559, 4.196e-6}
	gauss := []float64{0.3173, 0.0455, 0.0027, 6.3e-5}
	for i, n := range tail {
		mu := l * want[i]
		if math.Abs(float64(n)-mu) > 5*math.Sqrt(mu)+2 {
			t.Fatalf("P(|G| > %d) = %g, want %g (a Gaussian's is %g)", i+1, float64(n)/l, want[i], gauss[i])
		}
	}
	if d := float64(pos-neg) / math.Sqrt(float64(pos+neg)); math.Abs(d) > 5 {
		t.Fatalf("tails asymmetric: %d above 2, %d below -2", pos, neg)
	}
	// ||G|| (of gInt) is exact: compare with a float64 sum.
	var ss float64
	for k := 0; k < l; k++ {
		x := float64(f.gInt(k))
		ss += x * x
	}
	if math.Abs(math.Sqrt(ss)-f.normG) > 1e-12*f.normG {
		t.Fatalf("||gInt|| = %v, float64 sum %v", f.normG, math.Sqrt(ss))
	}
	if want := 1 / (f.normG * math.Sqrt(l)); f.Scale() != want {
		t.Fatalf("Scale %v, want %v", f.Scale(), want)
	}
}

// TestFastfoodStateBytes: no per-element state; the Feistel tables grow as
// sqrt(L).
func TestFastfoodStateBytes(t *testing.T) {
	for _, sh := range [][2]int{{1, 1}, {1000, 589824}, {1000, 1 << 22}, {1 << 24, 10}} {
		f, _ := NewFastfood(1, "state", sh[0], sh[1])
		_, _, l := f.Dims()
		lg := 0
		for 1<<lg < l {
			lg++
		}
		tables := int64(4 * (2*(1<<(lg/2)) + 1<<(lg-lg/2)))
		got := f.StateBytes()
		if got < tables || got > tables+256 {
			t.Fatalf("L=%d: StateBytes %d, want the %d bytes of tables plus the struct", l, got, tables)
		}
		if l >= 1<<20 && float64(got)/float64(l) > 0.02 {
			t.Fatalf("L=%d: %d bytes is %.3f per element", l, got, float64(got)/float64(l))
		}
	}
}

// TestGBlock checks the G regeneration kernels (gBlock with every
// implementation) against gOf for every length 0..300 and several start
// counters and offsets, with guards before and after.
func TestGBlock(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	const guard = 8
	sentinel := math.Float32frombits(0x7fc0beef)
	cpu.ForEachImpl(t, func(t *testing.T) {
		buf := make([]float32, 300+2*guard+8)
		for n := 0; n <= 300; n++ {
			for _, z := range []uint64{0, 1, ^uint64(0) - 5, r.Uint64(), r.Uint64()} {
				off := n % 8
				for i := range buf {
					buf[i] = sentinel
				}
				g := buf[guard+off : guard+off+n]
				gBlock(g, z)
				for i := range g {
					if w := gOf(z + uint64(i)*golden); g[i] != w {
						t.Fatalf("n=%d z=%#x: g[%d] = %v, want %v", n, z, i, g[i], w)
					}
				}
				for i, v := range buf {
					if (i < guard+off || i >= guard+off+n) && math.Float32bits(v) != math.Float32bits(sentinel) {
						t.Fatalf("n=%d z=%#x: guard %d written: %v", n, z, i, v)
					}
				}
			}
		}
	})
}
