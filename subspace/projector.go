package subspace

import (
	"fmt"
	"strings"
)

// A Projector is a fixed linear map P from R^d (the trainable vector) to R^n
// (one parameter tensor, flattened), regenerated from (seed, tensor name).
// Its columns have Euclidean norm close to 1 (exactly 1 for Dense).
//
// The same Projector may be used by several goroutines at once as long as
// each passes its own Workspace.
type Projector interface {
	// D is the input dimension d, N the output dimension n.
	D() int
	N() int
	// Project sets dst = P theta. len(dst) = N(), len(theta) = D().
	Project(dst, theta []float32, ws *Workspace)
	// ProjectT sets dst = P^T g, the exact transpose (adjoint) of Project.
	// len(dst) = D(), len(g) = N().
	ProjectT(dst, g []float32, ws *Workspace)
	// StateBytes is the memory the projector keeps between calls (not
	// counting a Workspace).
	StateBytes() int64
}

// Workspace is scratch memory for projector calls. Its buffers grow on
// first use and are reused afterwards, so calls in steady state do not
// allocate. A nil *Workspace is allowed: the call then allocates its own.
// A Workspace must not be used by two calls at the same time.
type Workspace struct {
	a []float32
}

func (w *Workspace) f32(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n)
	}
	return (*buf)[:n]
}

// Kind names a projector family.
type Kind int

const (
	// Fastfood is H G Pi H B per tensor (the paper's projection).
	Fastfood Kind = iota
	// Dense is a Gaussian matrix with unit-norm columns, generated on the
	// fly: O(n d) time per call, a reference for small models.
	Dense
	// Sparse is Li, Hastie and Church's very sparse random projection.
	Sparse
	// FastfoodSplit is Fastfood over the power-of-two pieces of each tensor
	// (no padding: 4 bytes of state per parameter, fewer transformed values).
	FastfoodSplit
	// FastfoodBlock is a blocked Fastfood per tensor (blocks of the next
	// power of two >= d, each transformed and permuted in cache): the
	// fastest kind on large models, not the paper's construction.
	FastfoodBlock
)

var kindNames = [...]string{Fastfood: "fastfood", Dense: "dense", Sparse: "sparse", FastfoodSplit: "fastfood-split", FastfoodBlock: "fastfood-block"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ParseKind is the inverse of Kind.String (case-insensitive).
func ParseKind(s string) (Kind, error) {
	for k, name := range kindNames {
		if strings.EqualFold(s, name) {
			return Kind(k), nil
		}
	}
	return 0, fmt.Errorf("subspace: unknown projector %q (want fastfood, fastfood-block, fastfood-split, dense or sparse)", s)
}

// NewProjector builds the projector of the given kind from R^d to R^n for
// the tensor called name, regenerated from seed.
func NewProjector(kind Kind, seed uint64, name string, d, n int) (Projector, error) {
	if d < 1 || n < 1 {
		return nil, fmt.Errorf("subspace: projector for %q: need d >= 1 and n >= 1, got d=%d n=%d", name, d, n)
	}
	switch kind {
	case Fastfood:
		return NewFastfood(seed, name, d, n)
	case Dense:
		return NewDense(seed, name, d, n), nil
	case Sparse:
		return NewSparse(seed, name, d, n), nil
	case FastfoodSplit:
		return NewFastfoodSplit(seed, name, d, n)
	case FastfoodBlock:
		return NewFastfoodBlock(seed, name, d, n)
	}
	return nil, fmt.Errorf("subspace: projector for %q: unknown kind %v", name, kind)
}

func checkLens(op string, p Projector, dst, src []float32, wantDst, wantSrc int) {
	if len(dst) != wantDst || len(src) != wantSrc {
		panic(fmt.Sprintf("subspace: %s with d=%d n=%d: got len(dst)=%d len(src)=%d, want %d and %d",
			op, p.D(), p.N(), len(dst), len(src), wantDst, wantSrc))
	}
}
