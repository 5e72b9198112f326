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
}

// unitsPerWorker is how many row blocks per worker a parallel product is
// cut into, so that the shared counter can even out the load.
const unitsPerWorker = 2

// bBudget caps the packed op(B) panel (all of k times nc columns), in
// floats, so that huge products work in column blocks. Tests lower it.
var bBudget = 4 << 20

const (
	// parallelMin is the smallest m*n*k that is split over workers.
	parallelMin = 96 * 96 * 96
	maxTile     = 16 * 32 // largest mr*nr of any kernel
)

// workspace is one worker's packed A block and edge tile.
type workspace struct {
	a   []float32
	tmp [maxTile]float32
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

// Phases of a task, each one cpu.Parallel call whose workers take units
// from a shared counter until none are left, so that a worker slowed down
// by other work on its core does not hold up the rest.
const (
	phasePackB   = iota // units: groups of group slivers of the op(B) panel
	phaseCompute        // units: row blocks x column chunks of C
)

// task is the state of one product, reused through taskPool so that
// cpu.Parallel gets the same pointer every time and nothing is allocated.
type task struct {
	kern    *kernel
	p       problem
	phase   int
	units   int          // units of the current phase
	next    atomic.Int64 // next unit to take
	kc      int          // depth of each packed block (the last may be shorter)
	mc      int          // rows of a row block
	chunks  int          // column chunks per row block
	chunk   int          // slivers per column chunk
	group   int          // slivers per packing unit
	jc      int          // first column of the current op(B) panel
	nb      int          // its width
	slivers int          // its slivers, ceil(nb/nr)
	bbuf    []float32    // packed op(B) panel: k/kc blocks of slivers
}

func (t *task) solve(kern *kernel, p *problem, w int) {
	t.kern, t.p = kern, *p
	mr, nr := kern.mr, kern.nr
	t.kc = split(p.k, kern.kc, 1)
	nc := max(bBudget/p.k/nr*nr, nr)
	nc = split(p.n, nc, nr)
	// Row blocks: as large as the kernel likes on one worker; with more,
	// about unitsPerWorker per worker so that the shared counter can balance
	// them (more blocks would stream the packed op(B) from L3 more often).
	t.mc = split(p.m, kern.mc, mr)
	if w > 1 {
		t.mc = min(t.mc, split(p.m, ceilDiv(p.m, unitsPerWorker*w), mr))
	}
	rowBlocks := ceilDiv(p.m, t.mc)
	for jc := 0; jc < p.n; jc += nc {
		t.jc, t.nb = jc, min(nc, p.n-jc)
		t.slivers = ceilDiv(t.nb, nr)
		t.bbuf = aligned(t.bbuf, ceilDiv(p.k, t.kc)*t.slivers*sliverStride(t.kc, nr))
		// Too few row blocks to share: cut the columns into chunks too.
		t.chunks = 1
		if w > 1 && rowBlocks < unitsPerWorker*w {
			t.chunks = min(t.slivers, ceilDiv(unitsPerWorker*w, rowBlocks))
		}
		t.chunk = ceilDiv(t.slivers, t.chunks)
		t.chunks = ceilDiv(t.slivers, t.chunk)
		// Packing units: long source rows, about 4 units per worker.
		t.group = ceilDiv(t.slivers, 4*w)
		if w == 1 {
			t.group = t.slivers
		}
		t.start(phasePackB, ceilDiv(t.slivers, t.group), w)
		t.start(phaseCompute, rowBlocks*t.chunks, w)
	}
}

// start runs one phase of units on w workers.
func (t *task) start(phase, units, w int) {
	t.phase, t.units = phase, units
	t.next.Store(0)
	if w <= 1 {
		t.Run(0, 0, 1)
		return
	}
	cpu.Parallel(w, 1, w, t)
}

// Run takes units of the current phase until none are left; lo and hi only
// say that the pool started this worker.
func (t *task) Run(_, _, _ int) {
	p := &t.p
	var ws *workspace
	for {
		u := int(t.next.Add(1) - 1)
		if u >= t.units {
			break
		}
		if t.phase == phasePackB {
			s0, s1 := u*t.group, min((u+1)*t.group, t.slivers)
			for pc := 0; pc < p.k; pc += t.kc {
				kb := min(t.kc, p.k-pc)
				t.packB(t.bbuf[t.bOffset(pc, kb, s0):], pc, kb, s0, s1)
			}
			continue
		}
		if ws == nil {
			ws = wsPool.Get().(*workspace)
			ws.a = aligned(ws.a, ceilDiv(t.mc, t.kern.mr)*sliverStride(t.kc, t.kern.mr))
		}
		ic, c := u/t.chunks*t.mc, u%t.chunks
		mb := min(t.mc, p.m-ic)
		s0, s1 := c*t.chunk, min((c+1)*t.chunk, t.slivers)
		for pc := 0; pc < p.k; pc += t.kc {
			kb := min(t.kc, p.k-pc)
			beta := p.beta
			if pc > 0 {
				beta = 1
			}
			t.packA(ws.a, ic, mb, pc, kb)
			t.macro(ws, ic, mb, pc, kb, s0, s1, beta)
		}
	}
	if ws != nil {
		wsPool.Put(ws)
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
// the packed B block at depth pc into C.
func (t *task) macro(ws *workspace, ic, mb, pc, kb, s0, s1 int, beta float32) {
	p, mr, nr, fn := &t.p, t.kern.mr, t.kern.nr, t.kern.fn
	for s := s0; s < s1; s++ {
		jr := s * nr
		nw := min(nr, t.nb-jr)
		bs := t.bbuf[t.bOffset(pc, kb, s):][:kb*nr]
		for ir := 0; ir < mb; ir += mr {
			mh := min(mr, mb-ir)
			as := ws.a[ir/mr*sliverStride(kb, mr):][:kb*mr]
			ci := (ic+ir)*p.ldc + t.jc + jr
			if mh == mr && nw == nr {
				fn(kb, as, bs, p.c[ci:], p.ldc, p.alpha, beta)
				continue
			}
			tmp := ws.tmp[:mr*nr]
			fn(kb, as, bs, tmp, nr, 1, 0)
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

// bOffset is where sliver s of the packed op(B) block at depth pc starts.
func (t *task) bOffset(pc, kb, s int) int {
	return pc/t.kc*t.slivers*sliverStride(t.kc, t.kern.nr) + s*sliverStride(kb, t.kern.nr)
}

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
