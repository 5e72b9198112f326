package subspace

import (
	"fmt"
	"unsafe"

	"github.com/idim-go/idim/fwht"
	"github.com/idim-go/idim/internal/cpu"
)

// FastfoodBlockProjector is the blocked Fastfood projection of one tensor
// (fwht.FastfoodBlock, keyed by the tensor's name): the tensor's rows are
// cut into blocks of L = 2^ceil(log2 max(d, 32)), and block i is
// H G_i Pi_i v with v = H B pad(theta) shared by the blocks,
//
//	P theta = [H G_0 Pi_0 v; H G_1 Pi_1 v; ...][:n] / (||g|| sqrt(n))
//
// so each block's transform and permutation stay in cache (4L bytes),
// there is no padding of n, and the transpose sums the blocks in L values
// before one final transform. Columns have unit norm in expectation
// (exactly when L divides n). It is not the paper's construction (one
// Fastfood over the tensor padded to a power of two): use Fastfood to
// reproduce the paper, this for speed (see fwht.FastfoodBlock for the
// random structure). State: the Feistel tables, nothing per element.
// Calls need a Workspace of 4L float32.
type FastfoodBlockProjector struct {
	f       *fwht.FastfoodBlock
	d, n, l int
}

// NewFastfoodBlock builds the blocked Fastfood projector for tensor name.
func NewFastfoodBlock(seed uint64, name string, d, n int) (*FastfoodBlockProjector, error) {
	f, err := fwht.NewFastfoodBlock(seed, name, d, n)
	if err != nil {
		return nil, fmt.Errorf("subspace: tensor %q: %w", name, err)
	}
	_, _, l := f.Dims()
	return &FastfoodBlockProjector{f: f, d: d, n: n, l: l}, nil
}

func (p *FastfoodBlockProjector) D() int { return p.d }
func (p *FastfoodBlockProjector) N() int { return p.n }

// L is the block length.
func (p *FastfoodBlockProjector) L() int { return p.l }

// FastfoodBlock is the underlying fwht projection.
func (p *FastfoodBlockProjector) FastfoodBlock() *fwht.FastfoodBlock { return p.f }

// StateBytes is the projector struct plus the fwht state (tables only).
func (p *FastfoodBlockProjector) StateBytes() int64 {
	return int64(unsafe.Sizeof(*p)) + p.f.StateBytes()
}

// Project sets dst = P theta.
func (p *FastfoodBlockProjector) Project(dst, theta []float32, ws *Workspace) {
	checkLens("FastfoodBlock.Project", p, dst, theta, p.n, p.d)
	if ws == nil {
		ws = new(Workspace)
	}
	if err := p.f.Apply(dst, theta, ws.f32(&ws.a, p.f.ScratchLen())); err != nil {
		panic(err)
	}
}

// ProjectT sets dst = P^T g.
func (p *FastfoodBlockProjector) ProjectT(dst, g []float32, ws *Workspace) {
	checkLens("FastfoodBlock.ProjectT", p, dst, g, p.d, p.n)
	if ws == nil {
		ws = new(Workspace)
	}
	if err := p.f.ApplyT(dst, g, ws.f32(&ws.a, p.f.ScratchLen())); err != nil {
		panic(err)
	}
}

// blockParallelMin: tensors of at least this many elements split their
// blocks over the workers inside one call (the rest are spread over the
// workers whole).
const blockParallelMin = 1 << 17

// blockSlots is the number of chunk partials a parallel transpose
// computes at once (fixed, so the sums do not depend on the workers).
const blockSlots = 16

// epilogue is how block values v (already scaled) land in a tensor:
// dst = base + v (DID), base + float32(lam v) (SAID), or, with no base,
// dst += v or dst += float32(lam v) (the incremental form).
type epilogue struct {
	dst, base []float32
	lam       float32
	scaled    bool // SAID: multiply by lam
}

func (e *epilogue) put(off int, v []float32) {
	dst := e.dst[off : off+len(v)]
	switch {
	case e.base != nil && !e.scaled:
		base := e.base[off : off+len(v)]
		for i, x := range v {
			dst[i] = base[i] + x
		}
	case e.base != nil:
		base := e.base[off : off+len(v)]
		lam := e.lam
		for i, x := range v {
			// The conversion forbids a fused multiply-add (same bits as
			// applyOne on every platform).
			dst[i] = base[i] + float32(lam*x)
		}
	case !e.scaled:
		for i, x := range v {
			dst[i] += x
		}
	default:
		lam := e.lam
		for i, x := range v {
			dst[i] += float32(lam * x)
		}
	}
}

// blockApplyRange computes blocks [lo, hi) of P theta (from v and gt as
// Prepare left them) through buf and hands them to e.
func blockApplyRange(f *fwht.FastfoodBlock, e *epilogue, v, gt, buf []float32, lo, hi int) {
	_, n, l := f.Dims()
	buf, work := buf[:l], buf[l:]
	for i := lo; i < hi; i++ {
		f.ApplyBlock(buf, i, v, gt, work)
		off := i * l
		e.put(off, buf[:min(l, n-off)])
	}
}

// blockState is the Subspace's scratch for blocked tensors split over
// the workers: v and the G table (shared, read-only during a split), the
// transposed total and the chunk partials.
type blockState struct {
	v, gt, acc []float32
	slots      []float32 // blockSlots x L
	apply      blockApplyTask
	grad       blockGradTask
}

type blockApplyTask struct {
	s *Subspace
	f *fwht.FastfoodBlock
	e epilogue
}

func (t *blockApplyTask) Run(worker, lo, hi int) {
	b := &t.s.blk
	buf := t.s.workers[worker].ws.f32(&t.s.workers[worker].ws.a, t.f.ScratchLen())
	blockApplyRange(t.f, &t.e, b.v, b.gt, buf, lo, hi)
}

type blockGradTask struct {
	s          *Subspace
	f          *fwht.FastfoodBlock
	g          []float32
	chunk0, cb int // first chunk of this wave, blocks per chunk
}

// Run computes the partials of chunks [chunk0+lo, chunk0+hi) into their
// slots.
func (t *blockGradTask) Run(worker, lo, hi int) {
	b := &t.s.blk
	_, _, l := t.f.Dims()
	ws := &t.s.workers[worker].ws
	buf := ws.f32(&ws.a, t.f.ScratchLen())
	nb := t.f.Blocks()
	for c := lo; c < hi; c++ {
		part := b.slots[c*l : (c+1)*l]
		clear(part)
		first := (t.chunk0 + c) * t.cb
		for i := first; i < min(first+t.cb, nb); i++ {
			t.f.AddBlockT(part, i, t.f.BlockRows(t.g, i), b.gt, buf)
		}
	}
}

// blockApplyBig writes P x into a big blocked tensor through e, its blocks
// split over the workers.
func (s *Subspace) blockApplyBig(p *FastfoodBlockProjector, x []float32, e epilogue) {
	f := p.f
	b := &s.blk
	v, gt := b.v[:p.l], b.gt[:p.l]
	f.Prepare(v, gt, x)
	b.apply = blockApplyTask{s: s, f: f, e: e}
	cpu.Parallel(f.Blocks(), 1, len(s.workers), &b.apply)
}

// blockGradBig sets dst = P^T g for a big blocked tensor, with the chunks
// split over the workers and their partials added in chunk order (the
// same bits as FastfoodBlock.ApplyT).
func (s *Subspace) blockGradBig(p *FastfoodBlockProjector, dst, g []float32) {
	f := p.f
	b := &s.blk
	l := p.l
	gt, acc := b.gt[:l], b.acc[:l]
	f.PrepareT(gt)
	clear(acc)
	cb := f.ChunkBlocks()
	nc := (f.Blocks() + cb - 1) / cb
	b.grad = blockGradTask{s: s, f: f, g: g, cb: cb}
	for c0 := 0; c0 < nc; c0 += blockSlots {
		k := min(blockSlots, nc-c0)
		b.grad.chunk0 = c0
		cpu.Parallel(k, 1, len(s.workers), &b.grad)
		for c := range k {
			fwht.AddTo(acc, b.slots[c*l:(c+1)*l])
		}
	}
	f.FinishT(dst, acc)
}
