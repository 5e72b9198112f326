package fwht

import (
	"fmt"
	"math"
	"math/bits"
	"unsafe"

	"github.com/idim-go/idim/internal/hash"
)

// FastfoodBlock is a blocked Fastfood projection from R^d to R^n whose work
// stays in cache: the n output rows are cut into blocks of L = 2^ceil(log2
// max(d, 128)) rows (the last one cropped), and
//
//	v   = H B pad(x)                          (once per call, length L)
//	P x = [H G_0 Pi_0 v; H G_1 Pi_1 v; ...][:n] / (||g|| sqrt(n))
//
// with H the unnormalised L x L Walsh-Hadamard matrix and B a diagonal of
// random +-1 (both shared by the blocks), and per block i a permutation
// Pi_i and a diagonal G_i:
//   - Pi_i is a 3-round Feistel network on log2(L) bits whose round
//     functions are the tensor's tabulated hashes with the table index
//     xored by per-block offsets c0, c1, c2 (pi_i(k): lo ^= T0[hi^c0];
//     hi ^= T1[lo^c1]; lo ^= T2[hi^c2]): every round, hence Pi_i, is a
//     bijection of [0, L) for any offsets;
//   - G_i,k = s_(iL+k) g[k ^ m_i]: one table g of L near-Gaussian integers
//     per projection (the same generator as Fastfood's G) read through a
//     per-block xor mask m_i, times a random sign s_r per output row r
//     (bit r%64 of a keyed hash of r/64, like B), so every block's diagonal
//     has the same norm ||g||. The signs make the blocks independent even
//     where Pi_i cannot act (column 0: H B e_0 is constant, and without
//     them its blocks would repeat whenever two masks m_i collide).
//
// The offsets and masks come from a keyed hash of the block index. Column j
// of one block, H G_i Pi_i H B e_j, has squared norm L ||g||^2 (H B e_j is a
// +-1 vector), and its rows carry equal shares in expectation, so n rows
// carry n ||g||^2: the scale 1/(||g|| sqrt(n)) gives unit columns in
// expectation, exactly when L divides n.
//
// Compared with Fastfood (one transform of L >= n over the whole tensor
// and a permutation over all of it), a block's transform and permutation
// touch 4L bytes that stay in the L1/L2 cache, the first transform H B x is
// done once per call rather than per element, and the transpose
// accumulates Pi_i^T G_i H y_i over the blocks in L values before one final
// transform: about one transform of length L and one in-cache permutation
// per L outputs, in each direction. The price is a different (blocked)
// random structure: the blocks share v and the multiset of G values, and
// differ by their permutation and the placement of G. State: the three
// round tables (a few hundred bytes at L = 2^10); nothing per element.
//
// Calls need scratch (ScratchLen) and do not allocate. The block methods
// (Prepare, ApplyBlock, AddBlockT, FinishT) let a caller split the blocks
// over workers and fuse its own epilogue; Apply and ApplyT are the
// sequential whole-tensor forms and give the same bits as any split that
// follows ChunkBlocks for the transpose (see ApplyT).
type FastfoodBlock struct {
	d, n, l, lg int
	nb          int
	bkey        uint64
	pkey        uint64
	skey        uint64 // row signs
	gz0         uint64
	normG       float64
	scale       float32
	rt          [3][]uint32
	rt32        [2][32]uint32 // rt[0], rt[2] padded to 32 entries when they fit
	lb          uint
	ma, mb      uint32
}

// fastfoodBlockLgMin is log2 of the smallest block, 2^7: rows of at
// least 16 (one AVX-512 vector) and 64-row sign words.
const fastfoodBlockLgMin = 7

// NewFastfoodBlock builds the blocked projection from R^d to R^n named by
// (seed, key); the same arguments always give the same projection. d must
// be in [1, 2^30] and n in [1, 2^40].
func NewFastfoodBlock(seed uint64, key string, d, n int) (*FastfoodBlock, error) {
	if d < 1 || n < 1 {
		return nil, fmt.Errorf("fwht.NewFastfoodBlock(key %q): dimensions d=%d, n=%d must be at least 1", key, d, n)
	}
	if uint64(d) > 1<<30 || uint64(n) > 1<<40 {
		return nil, fmt.Errorf("fwht.NewFastfoodBlock(key %q): d=%d or n=%d above the limits 2^30, 2^40", key, d, n)
	}
	lg := max(bits.Len(uint(d-1)), fastfoodBlockLgMin)
	l := 1 << lg
	base := mix64(seed ^ mix64(hash.FNV1a(key)^0x452821e638d01377))
	f := &FastfoodBlock{d: d, n: n, l: l, lg: lg, nb: (n + l - 1) / l}
	f.bkey = mix64(base ^ 0xb5ad4eceda1ce2a9)
	f.pkey = mix64(base ^ 0xbe5466cf34e90c6c)
	f.skey = mix64(base ^ 0xc0ac29b7c97c50dd)
	f.gz0 = mix64(base^0x243f6a8885a308d3) + golden
	a := uint(lg / 2)
	f.lb = uint(lg) - a
	f.ma, f.mb = uint32(1)<<a-1, uint32(1)<<f.lb-1
	for r := range f.rt {
		size, mask := f.ma+1, f.mb
		if r%2 == 1 {
			size, mask = f.mb+1, f.ma
		}
		key := mix64(base ^ uint64(r+1)*0x9e3779b97f4a7c15)
		f.rt[r] = make([]uint32, size)
		for v := range f.rt[r] {
			f.rt[r][v] = feistelF(uint32(v), key) & mask
		}
	}
	if f.ma < 32 {
		copy(f.rt32[0][:], f.rt[0])
		copy(f.rt32[1][:], f.rt[2])
	}
	var ss int64
	for k := range l {
		g := int64(f.gInt(k))
		ss += g * g
	}
	f.normG = math.Sqrt(float64(ss))
	f.scale = float32(1 / (f.normG * math.Sqrt(float64(n))))
	return f, nil
}

// Dims returns d, n and the block length L.
func (f *FastfoodBlock) Dims() (d, n, l int) { return f.d, f.n, f.l }

// Blocks is the number of blocks, ceil(n/L); block i holds rows
// [i L, min((i+1) L, n)).
func (f *FastfoodBlock) Blocks() int { return f.nb }

// Scale32 is the float32 factor 1/(||g|| sqrt(n)) applied after the
// transforms.
func (f *FastfoodBlock) Scale32() float32 { return f.scale }

// ScratchLen is the scratch Apply and ApplyT need: 4L + WorkLen() float32.
func (f *FastfoodBlock) ScratchLen() int { return 4*f.l + f.WorkLen() }

// WorkLen is the length of the work buffer ApplyBlock and AddBlockT take
// (beyond AddBlockT's L): L/32 float32, which hold a block's L/64 row-sign
// words.
func (f *FastfoodBlock) WorkLen() int { return f.l / 32 }

// signWords returns work as L/64 uint64 (the buffer's bits; unaligned is
// fine on the platforms Go supports).
func (f *FastfoodBlock) signWords(work []float32) []uint64 {
	work = work[:f.WorkLen()]
	return unsafe.Slice((*uint64)(unsafe.Pointer(&work[0])), f.l/64)
}

// ffbParams is what the kernels read of one block.
type ffbParams struct {
	lb, nhi, c0, c1, c2, m, rowmask int64
	small                           int64 // 1: the high-half tables are in rt32
}

// params fills sw with block i's row-sign words and returns its keys.
func (f *FastfoodBlock) params(i int, sw []uint64) ffbParams {
	c0, c1, c2, m := f.blockKeys(i)
	q0 := uint64(i) * uint64(f.l/64)
	for j := range sw {
		sw[j] = f.signWord(q0 + uint64(j))
	}
	p := ffbParams{lb: int64(f.lb), nhi: int64(f.ma) + 1, c0: int64(c0), c1: int64(c1), c2: int64(c2), m: int64(m), rowmask: int64(f.mb)}
	if f.ma < 32 {
		p.small = 1
	}
	return p
}

// ChunkBlocks is the number of consecutive blocks whose transposed
// contributions ApplyT sums into a zeroed partial before adding the
// partial to the total, in block order: a parallel caller that follows the
// same chunks and adds the partials in chunk order gets ApplyT's bits on
// any number of workers.
func (f *FastfoodBlock) ChunkBlocks() int { return max(1, (1<<15)/f.l) }

// StateBytes is the struct and the round tables (nothing per element).
func (f *FastfoodBlock) StateBytes() int64 { return int64(unsafe.Sizeof(*f)) + tablesBytes(f.rt) }

// Sign returns B_j (+1 or -1) for 0 <= j < L.
func (f *FastfoodBlock) Sign(j int) float32 { return signOf(f.bkey, j) }

// GInt returns g_k, the integer-valued table entry (0 <= k < L) that the
// kernels use; see BlockPerm for G_i,k.
func (f *FastfoodBlock) GInt(k int) float32 { return f.gInt(k) }

func (f *FastfoodBlock) gInt(k int) float32 { return gOf(f.gz0 + uint64(k)*golden) }

// BlockPerm returns pi_i(k) ((Pi_i v)_k = v[pi_i(k)]) and G_i,k (in the
// kernels' integer units, so over ||g||) of block i, for 0 <= k < L, for
// tests and dense references.
func (f *FastfoodBlock) BlockPerm(i, k int) (pi int, g float32) {
	c0, c1, c2, m := f.blockKeys(i)
	hi, lo := uint32(k)>>f.lb, uint32(k)&f.mb
	lo ^= f.rt[0][hi^c0]
	hi ^= f.rt[1][lo^c1]
	lo ^= f.rt[2][hi^c2]
	r := uint64(i)*uint64(f.l) + uint64(k)
	g = f.gInt(int(uint32(k) ^ m))
	if f.signWord(r>>6)>>(r&63)&1 == 1 {
		g = -g
	}
	return int(hi<<f.lb | lo), g
}

// signWord holds the row signs s_r for r = 64 q .. 64 q + 63 (bit r%64
// set: -1).
func (f *FastfoodBlock) signWord(q uint64) uint64 {
	return mix64(f.skey ^ q*0xd1b54a32d192ed03)
}

// blockKeys are block i's Feistel table offsets and G mask.
func (f *FastfoodBlock) blockKeys(i int) (c0, c1, c2, m uint32) {
	h1 := mix64(f.pkey ^ uint64(i)*0xd1b54a32d192ed03)
	h2 := mix64(h1)
	return uint32(h1) & f.ma, uint32(h1>>32) & f.mb, uint32(h2) & f.ma, uint32(h2>>32) & uint32(f.l-1)
}

// Prepare sets v = H B pad(x) and gt to the table g (each of length L) for
// the forward blocks; x has length d.
func (f *FastfoodBlock) Prepare(v, gt, x []float32) {
	v, gt = v[:f.l], gt[:f.l]
	f.signs(v[:f.d], x[:f.d])
	clear(v[f.d:])
	transform32(v, kern32())
	f.PrepareT(gt)
}

// PrepareT sets gt (length L) to the table g.
func (f *FastfoodBlock) PrepareT(gt []float32) { gBlock(gt[:f.l], f.gz0) }

// signs sets dst[j] = B_j src[j].
func (f *FastfoodBlock) signs(dst, src []float32) { applySigns(f.bkey, dst, src) }

// ApplyBlock sets out (length L) to block i of P x, all L rows before
// cropping (rows past n in the last block are to be dropped), from v and
// gt as Prepare left them; work (WorkLen()) is overwritten.
func (f *FastfoodBlock) ApplyBlock(out []float32, i int, v, gt, work []float32) {
	out = out[:f.l]
	sw := f.signWords(work)
	if !f.gatherSIMD(out, v[:f.l], gt[:f.l], i, sw) {
		f.gather(out, v[:f.l], gt[:f.l], i)
	}
	transform32(out, kern32())
	s := f.scale
	for k, x := range out {
		out[k] = x * s
	}
}

// AddBlockT adds Pi_i^T G_i H pad(y) to acc (length L), y holding block
// i's rows of the transposed input (length min(L, n - i L)); buf (length
// L + WorkLen()) is overwritten. gt is the table as PrepareT left it.
func (f *FastfoodBlock) AddBlockT(acc []float32, i int, y, gt, buf []float32) {
	sw := f.signWords(buf[f.l:])
	buf = buf[:f.l]
	copy(buf, y)
	clear(buf[len(y):])
	transform32(buf, kern32())
	if !f.gatherTSIMD(acc[:f.l], buf, gt[:f.l], i, sw) {
		f.scatterAdd(acc[:f.l], buf, gt[:f.l], i)
	}
}

// FinishT sets dst (length d) to scale B (H acc)[:d], the transpose's end;
// acc is overwritten.
func (f *FastfoodBlock) FinishT(dst, acc []float32) {
	acc = acc[:f.l]
	transform32(acc, kern32())
	f.signs(dst[:f.d], acc[:f.d])
	s := f.scale
	for j, x := range dst[:f.d] {
		dst[j] = x * s
	}
}

// Apply sets dst (length n) to P x (x of length d); scratch holds at least
// ScratchLen() values.
func (f *FastfoodBlock) Apply(dst, x, scratch []float32) error {
	if err := f.check("Apply", dst, x, scratch, f.n, f.d); err != nil {
		return err
	}
	v, gt, buf, work := scratch[:f.l], scratch[f.l:2*f.l], scratch[2*f.l:3*f.l], scratch[4*f.l:]
	f.Prepare(v, gt, x)
	for i := range f.nb {
		off := i * f.l
		if off+f.l <= f.n {
			f.ApplyBlock(dst[off:off+f.l], i, v, gt, work)
		} else {
			f.ApplyBlock(buf, i, v, gt, work)
			copy(dst[off:], buf)
		}
	}
	return nil
}

// ApplyT sets dst (length d) to P^T y (y of length n), the exact
// transpose of Apply. The blocks' contributions are summed in chunks of
// ChunkBlocks() consecutive blocks (each into a zeroed partial, in block
// order), and the partials added to the total in chunk order.
func (f *FastfoodBlock) ApplyT(dst, y, scratch []float32) error {
	if err := f.check("ApplyT", dst, y, scratch, f.d, f.n); err != nil {
		return err
	}
	gt, acc, part, buf := scratch[:f.l], scratch[f.l:2*f.l], scratch[2*f.l:3*f.l], scratch[3*f.l:]
	f.PrepareT(gt)
	clear(acc)
	cb := f.ChunkBlocks()
	for c := 0; c < f.nb; c += cb {
		clear(part)
		for i := c; i < min(c+cb, f.nb); i++ {
			f.AddBlockT(part, i, f.BlockRows(y, i), gt, buf)
		}
		AddTo(acc, part)
	}
	f.FinishT(dst, acc)
	return nil
}

// BlockRows returns block i's rows of y (length n).
func (f *FastfoodBlock) BlockRows(y []float32, i int) []float32 {
	return y[i*f.l : min((i+1)*f.l, f.n)]
}

// AddTo sets acc[k] += p[k] (float32, the order ApplyT uses).
func AddTo(acc, p []float32) {
	p = p[:len(acc)]
	for k, x := range p {
		acc[k] += x
	}
}

func (f *FastfoodBlock) check(name string, dst, src, scratch []float32, nd, ns int) error {
	switch {
	case len(dst) != nd:
		return fmt.Errorf("fwht.FastfoodBlock.%s: dst has length %d, want %d (d=%d, n=%d)", name, len(dst), nd, f.d, f.n)
	case len(src) != ns:
		return fmt.Errorf("fwht.FastfoodBlock.%s: input has length %d, want %d (d=%d, n=%d)", name, len(src), ns, f.d, f.n)
	case len(scratch) < f.ScratchLen():
		return fmt.Errorf("fwht.FastfoodBlock.%s: scratch has length %d, want at least %d", name, len(scratch), f.ScratchLen())
	}
	return nil
}

// gather sets out[k] = G_i,k v[pi_i(k)], G_i,k = s_(iL+k) g[k ^ m_i].
func (f *FastfoodBlock) gather(out, v, gt []float32, i int) {
	c0, c1, c2, m := f.blockKeys(i)
	t0, t1, t2 := f.rt[0][:f.ma+1], f.rt[1][:f.mb+1], f.rt[2][:f.ma+1]
	lb, ma, mb, mask := f.lb&31, f.ma, f.mb, uint32(f.l-1)
	seg := min(64, int(mb)+1) // a row's elements per sign word
	r0g := uint64(i) * uint64(f.l)
	for hi := uint32(0); hi <= ma; hi++ {
		r0 := t0[(hi^c0)&ma]
		row := out[hi<<lb : (hi+1)<<lb]
		for lo0 := 0; lo0 < len(row); lo0 += seg {
			r := r0g + uint64(hi<<lb) + uint64(lo0)
			w := f.signWord(r>>6) >> (r & 63)
			gm := (hi<<lb ^ m) & mask
			for t := range row[lo0 : lo0+seg] {
				lo := uint32(lo0 + t)
				l1 := lo ^ r0
				h2 := hi ^ t1[(l1^c1)&mb]
				l3 := l1 ^ t2[(h2^c2)&ma]
				g := math.Float32frombits(math.Float32bits(gt[(gm^lo)&mask]) ^ uint32(w>>t&1)<<31)
				row[lo] = g * v[(h2<<lb|l3)&mask]
			}
		}
	}
}

// scatterAdd sets acc[pi_i(k)] += G_i,k w[k].
func (f *FastfoodBlock) scatterAdd(acc, w, gt []float32, i int) {
	c0, c1, c2, m := f.blockKeys(i)
	t0, t1, t2 := f.rt[0][:f.ma+1], f.rt[1][:f.mb+1], f.rt[2][:f.ma+1]
	lb, ma, mb, mask := f.lb&31, f.ma, f.mb, uint32(f.l-1)
	seg := min(64, int(mb)+1)
	r0g := uint64(i) * uint64(f.l)
	for hi := uint32(0); hi <= ma; hi++ {
		r0 := t0[(hi^c0)&ma]
		row := w[hi<<lb : (hi+1)<<lb]
		for lo0 := 0; lo0 < len(row); lo0 += seg {
			r := r0g + uint64(hi<<lb) + uint64(lo0)
			sw := f.signWord(r>>6) >> (r & 63)
			gm := (hi<<lb ^ m) & mask
			for t, x := range row[lo0 : lo0+seg] {
				lo := uint32(lo0 + t)
				l1 := lo ^ r0
				h2 := hi ^ t1[(l1^c1)&mb]
				l3 := l1 ^ t2[(h2^c2)&ma]
				g := math.Float32frombits(math.Float32bits(gt[(gm^lo)&mask]) ^ uint32(sw>>t&1)<<31)
				acc[(h2<<lb|l3)&mask] += g * x
			}
		}
	}
}
