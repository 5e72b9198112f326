package gemm

import (
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/idim-go/idim/internal/cpu"
)

// problem is one product C = alpha*op(A)*op(B) + beta*C, already checked.
type problem struct {
	transA, transB bool
	m, n, k        int
	alpha          float32
	a              []float32
	lda            int
	b              []float32
	ldb            int
	beta           float32
	c              []float32
	ldc            int
}

// kernel is one micro-kernel with the blocking that suits it. fn computes
//
//	C[i*ldc+j] = alpha * sum_p a[p*mr+i]*b[p*nr+j] + beta*C[i*ldc+j]
//
// for the whole mr x nr tile (beta == 0: C is not read), from an A sliver
// packed as k rows of mr and a B sliver packed as k rows of nr.
type kernel struct {
	name   string
	mr, nr int
	kc     int // depth of a packed block: a kc x nr B sliver stays in L1
	mc     int // rows of A packed at once: mc x kc stays in L2
	fn     func(k int, a, b, c []float32, ldc int, alpha, beta float32)
	// parts compute only the first rows of a tile from the same mr-row A
	// slivers (fewer rows first): for the last row tile when m is not a
	// multiple of mr.
	parts []kernelPart
}

// kernelPart is a kernel for the first rows rows of an mr x nr tile: fn
// is kernel.fn for i < rows only.
type kernelPart struct {
	rows int
	fn   func(k int, a, b, c []float32, ldc int, alpha, beta float32)
}

// unitsPerWorker is the fewest row blocks (chains of units) per worker a
// parallel product is cut into: with two, a worker whose core is taken by
// other work for a while holds up one chain of four, and the other worker
// does the rest (on a loaded machine: +10% on 768-row products against
// one). More would read each packed op(B) block once more per row block.
const unitsPerWorker = 2

// bBudget caps each worker's packed op(B) block (kc times nc columns), in
// floats, so that very wide products work in column panels. Tests lower it.
var bBudget = 1 << 20

const (
	// parallelMin is the smallest m*n*k that is split over workers.
	parallelMin = 96 * 96 * 96
	maxTile     = 16 * 32 // largest mr*nr of any kernel
)

// workspace is one worker's packed blocks and edge tile.
type workspace struct {
	a    []float32 // packed op(A) block
	b    []float32 // packed op(B) block of the current panel
	bKey int       // the depth block and chunk in b (depth*chunks + chunk), -1: none
	tmp  [maxTile]float32
}

var (
	wsPool   = sync.Pool{New: func() any { return new(workspace) }}
	taskPool = sync.Pool{New: func() any { return new(task) }}
)

// aligned returns buf resliced to n floats if it can hold them, else a new
// slice of n floats whose first element is 64-byte aligned.
func aligned(buf []float32, n int) []float32 {
	if cap(buf) >= n {
		return buf[:n]
	}
	raw := make([]float32, n+16)
	off := int((64 - uintptr(unsafe.Pointer(&raw[0]))&63) & 63 / 4)
	return raw[off : off+n : off+n]
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// split divides n into the fewest blocks of at most size and returns the
// block size that makes them even, rounded up to a multiple of unit.
func split(n, size, unit int) int {
	blocks := ceilDiv(n, size)
	return ceilDiv(ceilDiv(n, blocks), unit) * unit
}

// workers is how many workers a product of this size gets.
func workers(threads, m, n, k int) int {
	w := cpu.Workers()
	if threads > 0 && threads < w {
		w = threads
	}
	if m*n*k < parallelMin {
		w = 1
	}
	return w
}

// run computes one product on at most threads workers.
func run(threads int, p *problem) {
	if p.m == 0 || p.n == 0 {
		return
	}
	if p.k == 0 || p.alpha == 0 {
		scaleC(p)
		return
	}
	t := taskPool.Get().(*task)
	t.solve(pickKernel(), p, workers(threads, p.m, p.n, p.k))
	t.p = problem{} // drop the caller's slices
	taskPool.Put(t)
}

// scaleC sets C = beta*C (C = 0 when beta == 0).
func scaleC(p *problem) {
	for i := 0; i < p.m; i++ {
		row := p.c[i*p.ldc : i*p.ldc+p.n]
		switch p.beta {
		case 0:
			clear(row)
		case 1:
		default:
			for j := range row {
				row[j] *= p.beta
			}
		}
	}
}

// task is the state of one product, reused through taskPool so that
// cpu.Parallel gets the same pointer every time and nothing is allocated.
//
// A unit of work is one depth block of one row block of C (times one chunk
// of its columns when there are too few row blocks to share). All workers
// start in one cpu.Parallel call and claim units until none is free; there
// is no barrier and no waiting. The depth blocks of a row block (a chain)
// are done in order, one at a time, so every element of C sums its depth
// blocks in order whoever computes them: the result does not depend on the
// schedule. Among the free units a worker takes one at the depth of the
// op(B) block it holds, else one of the least depth: the chains advance
// together, depth block by depth block, and a worker slowed down by other
// work on its core, or started late, holds up only the one chain it is in.
//
// Each worker packs the op(B) block it needs into its own buffer (one
// depth block of the panel, kc*nb floats) and keeps it for its next units
// at the same depth. Two workers thus both pack the whole of op(B): that
// costs less than sharing one packed copy, whose cache lines, read by both
// cores, would have to be taken back from the other core at every write
// (packing ran 3x slower per byte on two workers than on one).
type task struct {
	kern     *kernel
	p        problem
	kc       int // depth of each packed block (the last may be shorter)
	kblocks  int // ceil(k/kc)
	tiles    int // mr-row tiles of C, ceil(m/mr)
	blocks   int // row blocks
	perBlock int // tiles of the smaller row blocks (the first big ones have one more)
	big      int // row blocks with perBlock+1 tiles
	chunks   int // column chunks per row block
	chunk    int // slivers per column chunk
	jc       int // first column of the current op(B) panel
	nb       int // its width
	slivers  int // its slivers, ceil(nb/nr)
	// chain[r], for row block r/chunks and chunk r%chunks, is 2d while its
	// depth block d is the next to do (d = kblocks: all done), 2d+1 while
	// a worker does it.
	chain []atomic.Int32
}

// rowBlocks is how many row blocks m rows are cut into: as few as the
// kernel's mc allows on one worker; with more, a multiple of the workers
// and at least unitsPerWorker each (more blocks would stream the packed
// op(B) from L3 more often).
func rowBlocks(kern *kernel, m, w int) int {
	tiles := ceilDiv(m, kern.mr)
	nb := ceilDiv(tiles, max(kern.mc/kern.mr, 1))
	if w > 1 {
		nb = ceilDiv(max(nb, unitsPerWorker*w), w) * w
	}
	return min(nb, tiles)
}

// zeroed returns s resliced to n elements, all zero.
func zeroed(s []atomic.Int32, n int) []atomic.Int32 {
	if cap(s) < n {
		return make([]atomic.Int32, n)
	}
	s = s[:n]
	for i := range s {
		s[i].Store(0)
	}
	return s
}

func (t *task) solve(kern *kernel, p *problem, w int) {
	t.kern, t.p = kern, *p
	mr, nr := kern.mr, kern.nr
	t.kc = split(p.k, kern.kc, 1)
	t.kblocks = ceilDiv(p.k, t.kc)
	nc := max(bBudget/t.kc/nr*nr, nr)
	nc = split(p.n, nc, nr)
	// Row blocks differ by at most one tile, the larger ones first, and
	// there is a multiple of the workers of them, so that each worker
	// gets the same number of tiles.
	t.tiles = ceilDiv(p.m, mr)
	t.blocks = rowBlocks(kern, p.m, w)
	t.perBlock, t.big = t.tiles/t.blocks, t.tiles%t.blocks
	for jc := 0; jc < p.n; jc += nc {
		t.jc, t.nb = jc, min(nc, p.n-jc)
		t.slivers = ceilDiv(t.nb, nr)
		// Too few row blocks to share: cut the columns into chunks too.
		t.chunks = 1
		if w > 1 && t.blocks < unitsPerWorker*w {
			t.chunks = min(t.slivers, ceilDiv(unitsPerWorker*w, t.blocks))
		}
		t.chunk = ceilDiv(t.slivers, t.chunks)
		t.chunks = ceilDiv(t.slivers, t.chunk)
		t.chain = zeroed(t.chain, t.blocks*t.chunks)
		if w <= 1 {
			t.Run(0, 0, 1)
		} else {
			cpu.Parallel(w, 1, w, t)
		}
	}
}

// rowBlock returns the first row and the rows of row block r.
func (t *task) rowBlock(r int) (ic, mb int) {
	t0 := r*t.perBlock + min(r, t.big)
	n := t.perBlock
	if r < t.big {
		n++
	}
	ic = t0 * t.kern.mr
	return ic, min(n*t.kern.mr, t.p.m-ic)
}

// Run claims units until none is free; worker, lo and hi are not used.
func (t *task) Run(_, _, _ int) {
	ws := wsPool.Get().(*workspace)
	mc := (t.perBlock + min(t.big, 1)) * t.kern.mr
	ws.a = aligned(ws.a, ceilDiv(mc, t.kern.mr)*sliverStride(t.kc, t.kern.mr))
	ws.b = aligned(ws.b, t.slivers*sliverStride(t.kc, t.kern.nr))
	ws.bKey = -1
	for {
		d, r, ok := t.claim(ws.bKey)
		if !ok {
			break
		}
		ic, mb := t.rowBlock(r / t.chunks)
		c := r % t.chunks
		s0, s1 := c*t.chunk, min((c+1)*t.chunk, t.slivers)
		pc := d * t.kc
		kb := min(t.kc, t.p.k-pc)
		if key := d*t.chunks + c; ws.bKey != key {
			t.packB(ws.b[s0*sliverStride(kb, t.kern.nr):], pc, kb, s0, s1)
			ws.bKey = key
		}
		t.packA(ws.a, ic, mb, pc, kb)
		beta := t.p.beta
		if d > 0 {
			beta = 1
		}
		t.macro(ws, ic, mb, kb, s0, s1, beta)
		t.chain[r].Store(int32(2 * (d + 1)))
	}
	wsPool.Put(ws)
}

// claim takes a free unit, depth block d of chain r: one that uses the
// op(B) block the worker holds (key, as workspace.bKey) if there is one,
// else one of the least depth. ok is false when no unit is free: every
// chain is done or in another worker's hands (which then finishes it).
func (t *task) claim(key int) (d, r int, ok bool) {
	for {
		best, bestV := -1, int32(2*t.kblocks)
		for i := range t.chain {
			v := t.chain[i].Load()
			if v&1 != 0 || v >= 2*int32(t.kblocks) {
				continue
			}
			if int(v/2)*t.chunks+i%t.chunks == key {
				best, bestV = i, v
				break
			}
			if v < bestV {
				best, bestV = i, v
			}
		}
		if best < 0 {
			return 0, 0, false
		}
		if t.chain[best].CompareAndSwap(bestV, bestV+1) {
			return int(bestV / 2), best, true
		}
	}
}

// packA packs rows [ic, ic+mb) x depth [pc, pc+kb) of op(A) into mr-row
// slivers of kb x mr each.
func (t *task) packA(dst []float32, ic, mb, pc, kb int) {
	p, mr := &t.p, t.kern.mr
	if p.transA {
		packCopy(dst, p.a[pc*p.lda+ic:], p.lda, kb, mr, mb)
		return
	}
	for r := 0; r < mb; r += mr {
		packTrans(dst[r/mr*sliverStride(kb, mr):][:kb*mr], p.a[(ic+r)*p.lda+pc:], p.lda, kb, mr, min(mr, mb-r))
	}
}

// packB packs slivers [s0, s1) of the current panel, depth [pc, pc+kb),
// into dst (where sliver s0 goes).
func (t *task) packB(dst []float32, pc, kb, s0, s1 int) {
	p, nr := &t.p, t.kern.nr
	j0 := t.jc + s0*nr
	if !p.transB {
		packCopy(dst, p.b[pc*p.ldb+j0:], p.ldb, kb, nr, min(s1*nr, t.nb)-s0*nr)
		return
	}
	for s := s0; s < s1; s++ {
		j := t.jc + s*nr
		packTrans(dst[(s-s0)*sliverStride(kb, nr):][:kb*nr], p.b[j*p.ldb+pc:], p.ldb, kb, nr, min(nr, t.nb-s*nr))
	}
}

// macro multiplies the packed rows [ic, ic+mb) of A with slivers [s0, s1) of
// the packed op(B) block in ws into C.
func (t *task) macro(ws *workspace, ic, mb, kb, s0, s1 int, beta float32) {
	p, mr, nr, fn := &t.p, t.kern.mr, t.kern.nr, t.kern.fn
	for s := s0; s < s1; s++ {
		jr := s * nr
		nw := min(nr, t.nb-jr)
		bs := ws.b[s*sliverStride(kb, nr):][:kb*nr]
		for ir := 0; ir < mb; ir += mr {
			mh := min(mr, mb-ir)
			as := ws.a[ir/mr*sliverStride(kb, mr):][:kb*mr]
			ci := (ic+ir)*p.ldc + t.jc + jr
			if mh == mr && nw == nr {
				fn(kb, as, bs, p.c[ci:], p.ldc, p.alpha, beta)
				continue
			}
			f, rows := fn, mr
			for _, pt := range t.kern.parts {
				if pt.rows >= mh {
					f, rows = pt.fn, pt.rows
					break
				}
			}
			if rows == mh && nw == nr {
				f(kb, as, bs, p.c[ci:], p.ldc, p.alpha, beta)
				continue
			}
			tmp := ws.tmp[:rows*nr]
			f(kb, as, bs, tmp, nr, 1, 0)
			for i := 0; i < mh; i++ {
				crow := p.c[ci+i*p.ldc:][:nw]
				trow := tmp[i*nr:][:nw]
				if beta == 0 {
					for j, v := range trow {
						crow[j] = p.alpha * v
					}
				} else {
					for j, v := range trow {
						crow[j] = p.alpha*v + beta*crow[j]
					}
				}
			}
		}
	}
}

// sliverPad separates packed slivers: were they exactly kb*w floats apart,
// a multiple of 4 KiB for the usual kb, then the slivers that packCopy
// writes side by side, and the C-tile-sized pieces of them, would all fall
// into the same few L1 sets.
const sliverPad = 16

// sliverStride is the distance between packed slivers of kb x w.
func sliverStride(kb, w int) int { return kb*w + sliverPad }

// packCopy packs the width columns of src, row q at src[q*ld:], into
// slivers of w columns: column j of row q goes to
//
//	dst[(j/w)*sliverStride(kb, w) + q*w + j%w]
//
// and the last sliver is padded with zeros. It reads src row by row.
func packCopy(dst, src []float32, ld, kb, w, width int) {
	ss := sliverStride(kb, w)
	done := packCopyFast(dst, src, ld, kb, w, width, ss)
	if done == width {
		return
	}
	o := done / w * ss // the first sliver left to fill
	for q := 0; q < kb; q++ {
		row := src[q*ld+done : q*ld+width]
		for j := 0; j < len(row); j += w {
			d := dst[o+(j/w)*ss+q*w:][:w]
			n := copy(d, row[j:min(j+w, len(row))])
			clear(d[n:])
		}
	}
}

// packTrans packs dst[q*w+j] = src[j*ld+q] for q < kb, j < cols, and zeros
// the columns from cols to w.
func packTrans(dst, src []float32, ld, kb, w, cols int) {
	dst = dst[:kb*w]
	rows, depth := packTransFast(dst, src, ld, kb, w, cols)
	for j := 0; j < rows; j++ {
		r := src[j*ld : j*ld+kb]
		for q := depth; q < kb; q++ {
			dst[q*w+j] = r[q]
		}
	}
	j := rows
	for ; j+4 <= cols; j += 4 {
		r0 := src[j*ld : j*ld+kb]
		r1 := src[(j+1)*ld : (j+1)*ld+kb]
		r2 := src[(j+2)*ld : (j+2)*ld+kb]
		r3 := src[(j+3)*ld : (j+3)*ld+kb]
		for q := range r0 {
			d := dst[q*w+j : q*w+j+4]
			d[0], d[1], d[2], d[3] = r0[q], r1[q], r2[q], r3[q]
		}
	}
	for ; j < cols; j++ {
		r := src[j*ld : j*ld+kb]
		for q, v := range r {
			dst[q*w+j] = v
		}
	}
	if cols < w {
		for q := 0; q < kb; q++ {
			clear(dst[q*w+cols : q*w+w])
		}
	}
}
