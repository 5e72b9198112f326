package subspace

import (
	"fmt"
	"unsafe"

	"github.com/idim-go/idim/fwht"
)

// FastfoodProjector is the paper's projection for one parameter tensor: a
// thin wrapper of fwht.Fastfood (see there for B, G, Pi and their
// generation), keyed by the tensor's name:
//
//	P x = (H G Pi H B pad(x))[:n] / (||G|| sqrt(n)),  L = 2^ceil(log2 max(d, n))
//
// with H the unnormalised L x L Walsh-Hadamard matrix. Columns have norm
// close to 1 (exactly 1 when n = L).
//
// d larger than the tensor. The paper's code pads to L = 2^ceil(log2 n) only
// and would silently crop a longer theta_d (torch's pad with a negative
// width). Here L covers d as well: every coordinate of theta_d enters every
// tensor, at the price of transforms of length >= d for small tensors (a
// bias of 768 elements with d = 20000 runs transforms of 32768).
//
// Memory: fwht.Fastfood stores nothing per element (B and G are
// regenerated from hashes, Pi is a Feistel network with small round tables:
// about 12 KiB at L = 2^20, 0.012 bytes per padded element); StateBytes
// reports exactly that. Calls need a Workspace of 2L float32, shared by
// every tensor a worker handles.
type FastfoodProjector struct {
	f       *fwht.Fastfood
	d, n, l int
}

// NewFastfood builds the Fastfood projector for tensor name.
func NewFastfood(seed uint64, name string, d, n int) (*FastfoodProjector, error) {
	f, err := fwht.NewFastfood(seed, name, d, n)
	if err != nil {
		return nil, fmt.Errorf("subspace: tensor %q: %w", name, err)
	}
	_, _, l := f.Dims()
	return &FastfoodProjector{f: f, d: d, n: n, l: l}, nil
}

func (p *FastfoodProjector) D() int { return p.d }
func (p *FastfoodProjector) N() int { return p.n }

// L is the padded length 2^ceil(log2 max(d, n)).
func (p *FastfoodProjector) L() int { return p.l }

// Fastfood is the underlying fwht projection.
func (p *FastfoodProjector) Fastfood() *fwht.Fastfood { return p.f }

// StateBytes is the projector struct plus fwht.Fastfood's own state (its
// struct and Feistel tables; nothing per element).
func (p *FastfoodProjector) StateBytes() int64 {
	return int64(unsafe.Sizeof(*p)) + p.f.StateBytes()
}

// Large transforms are split over the worker pool inside one call.
const ffParallelMin = 1 << 16

// runFastfood sets dst = F x, or F^T x when transpose, with the scratch s
// (2l entries for F's length l), split over the worker pool when l >=
// ffParallelMin. The callers have checked the lengths, so an error is a
// bug.
func runFastfood(f *fwht.Fastfood, l int, transpose bool, dst, x, s []float32) {
	var err error
	switch big := l >= ffParallelMin; {
	case transpose && big:
		err = f.ApplyTParallel(dst, x, s, 0)
	case transpose:
		err = f.ApplyT(dst, x, s)
	case big:
		err = f.ApplyParallel(dst, x, s, 0)
	default:
		err = f.Apply(dst, x, s)
	}
	if err != nil {
		panic(err)
	}
}

// Project sets dst = P theta.
func (p *FastfoodProjector) Project(dst, theta []float32, ws *Workspace) {
	checkLens("Fastfood.Project", p, dst, theta, p.n, p.d)
	if ws == nil {
		ws = new(Workspace)
	}
	runFastfood(p.f, p.l, false, dst, theta, ws.f32(&ws.a, 2*p.l))
}

// ProjectT sets dst = P^T g.
func (p *FastfoodProjector) ProjectT(dst, g []float32, ws *Workspace) {
	checkLens("Fastfood.ProjectT", p, dst, g, p.d, p.n)
	if ws == nil {
		ws = new(Workspace)
	}
	runFastfood(p.f, p.l, true, dst, g, ws.f32(&ws.a, 2*p.l))
}
