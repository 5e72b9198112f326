package fwht

import (
	"fmt"
	"math"
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/idim-go/idim/internal/cpu"
	"github.com/idim-go/idim/internal/hash"
)

// Fastfood is the random projection P from R^d to R^n used for
// intrinsic-dimension training (Aghajanyan et al. 2021, after Le, Sarlos and
// Smola 2013):
//
//	P x = (H G Pi H B pad(x))[:n] / (||G|| sqrt(n))
//
// where L = 2^ceil(log2 max(d, n)), pad(x) is x followed by L-d zeros, H is
// the unnormalised L x L Walsh-Hadamard matrix, B a diagonal of random +-1,
// Pi a random permutation matrix, (Pi v)_k = v[pi(k)], G a diagonal of
// independent values of mean 0 and variance 1 (near-Gaussian, see below),
// ||G|| = sqrt(sum_k G_k^2) over all L entries, and [:n] keeps the first n
// rows.
//
// The scale: column j of H G Pi H B has squared norm L ||G||^2 (Pi H B e_j
// is a +-1 vector, G turns it into one of norm ||G||, and H multiplies norms
// by sqrt(L)), and its entries have equal expected squares, so the n rows kept carry
// n ||G||^2 of it in expectation. Dividing by ||G|| sqrt(n) therefore gives
// every column of P unit norm in expectation (exactly when n = L); the
// fluctuation of a squared column norm is about sqrt(2/n) relative.
//
// B, G and Pi are a pure function of (seed, key, L), the same on every
// platform (a test pins one projection and CI runs it under arm64 too):
//   - B_j is bit j%64 of a keyed splitmix64 hash of j/64, recomputed on every
//     call (no memory);
//   - G_k is regenerated inside the permutation pass from a keyed
//     counter-based hash of k (the k-th output of a splitmix64 stream),
//     so it needs no memory: with h that 64-bit hash, S the sum of its 8
//     bytes and b its lowest bit, G_k = (2 (S + b) - 2041) / sqrt(174763).
//     S is Irwin-Hall(8)-like (a sum of 8 independent uniform bytes), so
//     G_k is an odd multiple of 1/418, symmetric (complementing h negates
//     it), never 0, of mean 0 and variance exactly 1, fourth moment 2.85
//     against a Gaussian's 3, P(|G_k| > 3) = 0.0017 against 0.0027 and
//     bounded by 4.88. This is adequate because Fastfood only needs a
//     random diagonal of N(0,1)-like magnitudes: the scale divides by the
//     exact ||G||, and P's second moments over B and Pi (unit columns in
//     expectation, near-orthogonality) depend on G only through ||G|| (up
//     to O(1/L) terms), which concentrates for any finite-variance G; the
//     light tail only narrows the spread of column norms;
//   - Pi is a 3-round Feistel network on log2(L) bits, a bijection that needs
//     no table of L entries; each round depends on one half of the bits, so
//     its values are tabulated: 4 (2^(1+floor(lg/2)) + 2^ceil(lg/2)) bytes in
//     all, 12 KiB at L = 2^20 (0.012 bytes per element).
//
// The kernels multiply by the integer 2 (S + b) - 2041 (exact in float32);
// the constant 1/sqrt(174763) cancels in G/||G||, and the scale uses the
// norm of those integers, summed exactly (int64) at construction. Per-element state: 0 bytes
// (StateBytes reports the struct and the tables). Storing G as bf16 (2
// bytes per padded element, 3.5 per RoBERTa parameter) was the fallback;
// regeneration costs about 1.1x on the AVX-512 permutation pass (hashes
// in vector registers, hidden behind the random gather; Apply and ApplyT
// are within noise of a stored float32 G), so storing would buy little. With
// AVX2 only, a kernel regenerates G in blocks ahead of the scalar gather
// (1.1-1.5x on the pass); the scalar hash (arm64, purego) makes the pass
// 1.7-2.3x slower (docs/bench/fwht.md).
//
// Apply and ApplyT need a caller-provided scratch of ScratchLen() = 2L
// float32, which may be shared by every Fastfood of at most that size; they
// do not allocate. A Fastfood is immutable after NewFastfood, so concurrent
// calls with distinct scratch buffers are safe, and ApplyParallel and
// ApplyTParallel split one large projection over the internal/cpu pool. The
// cost is two transforms plus one pass that gathers through Pi; the gather,
// random over L elements, dominates for large L (see docs/bench/fwht.md).
type Fastfood struct {
	d, n, l int
	lg      int
	gz0     uint64    // splitmix64 counter of G_0 (see gOf)
	scale   float32   // 1 / (||G|| sqrt(n))
	normG   float64   // ||G|| of the integer-valued G the kernels use
	bkey    uint64    // key of the B signs
	fk      [3]uint64 // Feistel round keys
	// Feistel round outputs, already masked: rt[0], rt[2] indexed by the
	// high half (2^(lg/2) entries), rt[1] by the low half.
	rt     [3][]uint32
	lb     uint   // bits in the low half
	ma, mb uint32 // masks of the high and low halves
}

// NewFastfood builds the projection from R^d to R^n named by (seed, key);
// the same arguments always give the same projection, on every platform.
// d and n must be in [1, 2^31]. It allocates a few KiB of permutation
// tables and takes a few ns per padded element (one pass regenerating G for
// ||G||, split over the internal/cpu pool), so a caller should build each
// projection once and keep it.
func NewFastfood(seed uint64, key string, d, n int) (*Fastfood, error) {
	if d < 1 || n < 1 {
		return nil, fmt.Errorf("fwht.NewFastfood(key %q): dimensions d=%d, n=%d must be at least 1", key, d, n)
	}
	m := max(d, n)
	if uint64(m) > 1<<31 {
		// Permutation indices are 32-bit (signed in the gather kernels).
		return nil, fmt.Errorf("fwht.NewFastfood(key %q): dimension %d above the limit 2^31", key, m)
	}
	lg := bits.Len(uint(m - 1))
	l := 1 << lg
	base := mix64(seed ^ mix64(hash.FNV1a(key)^0x6a09e667f3bcc908))
	f := &Fastfood{d: d, n: n, l: l, lg: lg}
	f.bkey = mix64(base ^ 0xb5ad4eceda1ce2a9)
	for r := range f.fk {
		f.fk[r] = mix64(base ^ uint64(r+1)*0x9e3779b97f4a7c15)
	}
	a := uint(lg / 2)
	f.lb = uint(lg) - a
	f.ma, f.mb = uint32(1)<<a-1, uint32(1)<<f.lb-1
	for r := range f.rt {
		// Rounds 0, 2 are keyed by the high half and change the low one;
		// rounds 1, 3 the other way round.
		size, mask := f.ma+1, f.mb
		if r%2 == 1 {
			size, mask = f.mb+1, f.ma
		}
		f.rt[r] = make([]uint32, size)
		for v := range f.rt[r] {
			f.rt[r][v] = feistelF(uint32(v), f.fk[r]) & mask
		}
	}
	f.gz0 = mix64(base^0x243f6a8885a308d3) + golden
	// ||G||^2 is an integer below 2041^2 2^31 < 2^63, summed exactly (so in
	// any order) over the values the kernels regenerate.
	ss := &gNormTask{z0: f.gz0}
	cpu.Parallel(l, 1<<14, 0, ss)
	f.normG = math.Sqrt(float64(ss.sum.Load())) // G_k is odd, never 0
	f.scale = float32(1 / (f.normG * math.Sqrt(float64(n))))
	return f, nil
}

// Dims returns d (input length), n (output length) and L (padded length).
func (f *Fastfood) Dims() (d, n, l int) { return f.d, f.n, f.l }

// ScratchLen is the length of scratch that Apply and ApplyT need: 2L.
func (f *Fastfood) ScratchLen() int { return 2 * f.l }

// Scale returns 1/(||G|| sqrt(n)), the factor applied after the transforms
// (as float32 in Apply and ApplyT).
func (f *Fastfood) Scale() float64 { return 1 / (f.normG * math.Sqrt(float64(f.n))) }

// Apply sets dst (length n) to P x for x of length d. scratch must hold at
// least ScratchLen() elements; its contents are overwritten.
func (f *Fastfood) Apply(dst, x, scratch []float32) error {
	return f.apply(dst, x, scratch, 1, "Apply")
}

// ApplyT sets dst (length d) to P^T y for y of length n, the exact
// transpose of Apply: <P x, y> = <x, P^T y> up to rounding.
func (f *Fastfood) ApplyT(dst, y, scratch []float32) error {
	return f.applyT(dst, y, scratch, 1, "ApplyT")
}

// ApplyParallel is Apply with the transforms and the permutation split over
// up to threads workers (threads <= 0: all). The result is bit-identical to
// Apply's.
func (f *Fastfood) ApplyParallel(dst, x, scratch []float32, threads int) error {
	return f.apply(dst, x, scratch, threads, "ApplyParallel")
}

// ApplyTParallel is ApplyT split over up to threads workers, bit-identical
// to ApplyT.
func (f *Fastfood) ApplyTParallel(dst, y, scratch []float32, threads int) error {
	return f.applyT(dst, y, scratch, threads, "ApplyTParallel")
}

func (f *Fastfood) check(name string, dst, src, scratch []float32, nd, ns int) error {
	switch {
	case len(dst) != nd:
		return fmt.Errorf("fwht.Fastfood.%s: dst has length %d, want %d (d=%d, n=%d)", name, len(dst), nd, f.d, f.n)
	case len(src) != ns:
		return fmt.Errorf("fwht.Fastfood.%s: input has length %d, want %d (d=%d, n=%d)", name, len(src), ns, f.d, f.n)
	case len(scratch) < 2*f.l:
		return fmt.Errorf("fwht.Fastfood.%s: scratch has length %d, want at least %d", name, len(scratch), 2*f.l)
	}
	return nil
}

func (f *Fastfood) transform(x []float32, threads int) {
	k := kern32()
	if threads == 1 {
		transform32(x, k)
	} else {
		transformParallel(x, k, threads)
	}
}

func (f *Fastfood) apply(dst, x, scratch []float32, threads int, name string) error {
	if err := f.check(name, dst, x, scratch, f.n, f.d); err != nil {
		return err
	}
	s, t := scratch[:f.l], scratch[f.l:2*f.l]
	f.signs(s[:f.d], x)
	clear(s[f.d:])
	f.transform(s, threads)
	f.permute(t, s, threads, false) // t = G Pi s
	f.transform(t, threads)
	copy(dst, t[:f.n])
	scale32(dst, f.scale)
	return nil
}

func (f *Fastfood) applyT(dst, y, scratch []float32, threads int, name string) error {
	if err := f.check(name, dst, y, scratch, f.d, f.n); err != nil {
		return err
	}
	s, t := scratch[:f.l], scratch[f.l:2*f.l]
	copy(t, y)
	clear(t[f.n:])
	f.transform(t, threads)
	f.permute(s, t, threads, true) // s = Pi^T G t
	f.transform(s, threads)
	f.signs(dst, s[:f.d])
	scale32(dst, f.scale)
	return nil
}

// signs sets dst[j] = B_j src[j] (flipping the sign bit, exact).
func (f *Fastfood) signs(dst, src []float32) { applySigns(f.bkey, dst, src) }

// applySigns sets dst[j] = B_j src[j] for the diagonal B keyed by key: bit
// j%64 of mix64(key ^ (j/64)*c) set means -1 (the sign bit flipped, exact).
func applySigns(key uint64, dst, src []float32) {
	for j0 := 0; j0 < len(src); j0 += 64 {
		w := mix64(key ^ uint64(j0/64)*0xd1b54a32d192ed03)
		s := src[j0:min(j0+64, len(src))]
		d := dst[j0 : j0+len(s)]
		for i, v := range s {
			d[i] = math.Float32frombits(math.Float32bits(v) ^ uint32(w>>i&1)<<31)
		}
	}
}

// signOf returns B_j (+1 or -1) of the diagonal applySigns applies.
func signOf(key uint64, j int) float32 {
	w := mix64(key ^ uint64(j/64)*0xd1b54a32d192ed03)
	if w>>(j%64)&1 == 1 {
		return -1
	}
	return 1
}

// Sign returns B_j (+1 or -1), for tests and for callers that build P densely.
func (f *Fastfood) Sign(j int) float32 { return signOf(f.bkey, j) }

// Perm returns pi(k): (Pi v)_k = v[pi(k)], for 0 <= k < L; -1 for k
// outside that range.
func (f *Fastfood) Perm(k int) int {
	if k < 0 || k >= f.l {
		return -1
	}
	return int(f.perm(uint32(k)))
}

// G returns a new slice holding the diagonal G (L entries): G_k =
// gInt(k) / sqrt(174763), of mean 0 and variance 1 (see gHash). The
// kernels multiply by gInt(k) itself; the constant cancels in P, whose
// scale is 1/(||gInt|| sqrt(n)). G allocates 4L bytes: it is for tests and
// for callers that build P densely.
func (f *Fastfood) G() []float32 {
	g := make([]float32, f.l)
	c := 1 / math.Sqrt(gVar)
	for k := range g {
		g[k] = float32(float64(f.gInt(k)) * c)
	}
	return g
}

// StateBytes returns the memory this Fastfood holds: the struct and the
// Feistel round tables, nothing per element (12 KiB, 0.012 bytes per
// element, at L = 2^20).
func (f *Fastfood) StateBytes() int64 { return int64(unsafe.Sizeof(*f)) + tablesBytes(f.rt) }

// tablesBytes is the memory of three Feistel round tables.
func tablesBytes(rt [3][]uint32) int64 {
	b := int64(0)
	for _, t := range rt {
		b += 4 * int64(cap(t))
	}
	return b
}

// gInt returns the integer-valued G_k the kernels use, as float32 (exact).
func (f *Fastfood) gInt(k int) float32 {
	return gOf(f.gz0 + uint64(k)*golden)
}

// perm is a 3-round Feistel network on lg bits (a pseudorandom permutation
// by Luby and Rackoff's theorem), split into hi (lg/2 bits) and lo (the
// rest); each round xors one half with a keyed hash of the other, so every
// round, and the whole, is a bijection of [0, L):
//
//	lo ^= F0(hi); hi ^= F1(lo); lo ^= F2(hi)
//
// A round's hash depends on one half only, so its 2^(lg/2) or 2^(lg-lg/2)
// values are tabulated at construction (f.rt).
func (f *Fastfood) perm(k uint32) uint32 {
	hi, lo := k>>f.lb, k&f.mb
	lo ^= f.rt[0][hi]
	hi ^= f.rt[1][lo]
	lo ^= f.rt[2][hi]
	return hi<<f.lb | lo
}

// permTables returns the round tables with their lengths made visible to
// the compiler's bounds-check elimination.
func (f *Fastfood) permTables() (t0, t1, t2 []uint32) {
	return f.rt[0][:f.ma+1], f.rt[1][:f.mb+1], f.rt[2][:f.ma+1]
}

func feistelF(v uint32, key uint64) uint32 {
	z := (uint64(v) + key) * 0xbf58476d1ce4e5b9
	z ^= z >> 31
	z *= 0x94d049bb133111eb
	return uint32(z >> 32)
}

// gBlock sets g[i] = gOf(z + i golden).
func gBlock(g []float32, z uint64) {
	i := gBlockSIMD(g, z)
	z += uint64(i) * golden
	for ; i < len(g); i++ {
		g[i] = gOf(z)
		z += golden
	}
}

type gNormTask struct {
	z0  uint64
	sum atomic.Int64
}

func (t *gNormTask) Run(_, lo, hi int) {
	var s int64
	z := t.z0 + uint64(lo)*golden
	for k := lo; k < hi; k++ {
		g := int64(gOf(z))
		s += g * g
		z += golden
	}
	t.sum.Add(s)
}

type permTask struct {
	f         *Fastfood
	dst, src  []float32
	transpose bool
}

func (p *permTask) Run(_, lo, hi int) { p.f.permuteRange(p.dst, p.src, lo, hi, p.transpose) }

// permute sets dst = G Pi src, or dst = Pi^T G src when transpose.
func (f *Fastfood) permute(dst, src []float32, threads int, transpose bool) {
	if threads == 1 || f.l < 1<<16 {
		f.permuteRange(dst, src, 0, f.l, transpose)
		return
	}
	cpu.Parallel(f.l, 4096, threads, &permTask{f, dst, src, transpose})
}

func (f *Fastfood) permuteRange(dst, src []float32, lo, hi int, transpose bool) {
	dst, src = dst[:f.l], src[:f.l]
	t0, t1, t2 := f.permTables()
	lb, mb, ma := f.lb&31, f.mb, f.ma
	for k := lo; k < hi; {
		// One row of the hi/lo split at a time: F0(hi) is fixed in it.
		h := uint32(k) >> lb
		end := min(hi, int(h+1)<<lb)
		r0 := t0[h&ma]
		if k%16 == 0 {
			k += f.permRowSIMD(dst, src, k, end-k, h, r0, transpose)
		}
		// The rest in blocks: G regenerated into gb (with SIMD where there
		// is a kernel), then the gather or scatter.
		var gb [256]float32
		for k < end {
			c := min(len(gb), end-k)
			g := gb[:c]
			gBlock(g, f.gz0+uint64(k)*golden)
			if transpose {
				for i, gi := range g {
					l1 := (uint32(k+i) & mb) ^ r0
					h2 := h ^ t1[l1&mb]
					l3 := l1 ^ t2[h2&ma]
					dst[h2<<lb|l3] = gi * src[k+i]
				}
			} else {
				d := dst[k : k+c]
				for i, gi := range g {
					l1 := (uint32(k+i) & mb) ^ r0
					h2 := h ^ t1[l1&mb]
					l3 := l1 ^ t2[h2&ma]
					d[i] = gi * src[h2<<lb|l3]
				}
			}
			k += c
		}
	}
}

// mix64 is one full splitmix64 step: the counter advanced by the golden
// gamma, then the finaliser (internal/hash), a bijective 64-bit hash.
func mix64(z uint64) uint64 {
	return hash.Mix64(z + golden)
}

const (
	golden = hash.Golden
	// gVar is the variance of gOf over uniform 64-bit hashes:
	// 4 Var(S) + 4 E[(S - 1020)(2 b - 1)] + 1 = 4 * 43690 + 2 + 1.
	gVar = 174763
)

// gOf is G's value, before the constant scale, for the counter z (G_k has
// counter gz0 + k golden, i.e. it is the k-th splitmix64 output of its
// stream): with h = hash.Mix64(z), S the sum of h's 8 bytes and b its lowest
// bit, gOf = 2 (S + b) - 2041, an odd integer in [-2041, 2041], returned
// as float32 (exactly). See the package doc for the distribution.
func gOf(z uint64) float32 {
	h := hash.Mix64(z)
	s := h&0x00ff00ff00ff00ff + h>>8&0x00ff00ff00ff00ff // 4 sums of 2 bytes
	s = s * 0x0001000100010001 >> 48                    // S, at most 2040
	return float32(int32(2*(s+h&1)) - 2041)
}
