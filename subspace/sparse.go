package subspace

import (
	"math"

	"github.com/idim-go/idim/internal/hash"
)

// SparseProjector is the very sparse random projection of Li, Hastie and
// Church (KDD 2006): with s = max(1, sqrt(n)), every entry is
//
//	sqrt(s/n) * (+1 with probability 1/(2s), 0 with 1-1/s, -1 with 1/(2s))
//
// so E[entry^2] = 1/n and every column has norm close to 1 (squared norm
// (number of nonzeros) * s/n, mean 1). Column j holds about n/s = sqrt(n)
// nonzeros. Their rows are regenerated on every call by geometric gap
// sampling from the stream (seed, name, j); nothing is stored, and a call
// costs O(d sqrt(n)).
type SparseProjector struct {
	d, n  int
	key   uint64
	s     float64
	scale float32 // sqrt(s/n)
	logq  float64 // log(1 - 1/s); 0 when s == 1 (every entry nonzero)
}

// NewSparse builds the Sparse projector for tensor name.
func NewSparse(seed uint64, name string, d, n int) *SparseProjector {
	s := math.Max(1, math.Sqrt(float64(n)))
	p := &SparseProjector{d: d, n: n, key: streamKey(seed, name, tagSparse), s: s,
		scale: float32(math.Sqrt(s / float64(n)))}
	if s > 1 {
		p.logq = portableLog(1 - 1/s)
	}
	return p
}

func (p *SparseProjector) D() int { return p.d }
func (p *SparseProjector) N() int { return p.n }

// StateBytes is a fixed few words: the nonzeros are regenerated.
func (p *SparseProjector) StateBytes() int64 { return 48 }

// column calls f(row, sign) for every nonzero of column j, rows increasing.
// sign is +1 or -1.
func (p *SparseProjector) column(j int, f func(i int, sign float32)) {
	key := hash.Mix64(p.key ^ hash.Mix64(uint64(j)+hash.Golden))
	i := -1
	for t := uint64(0); ; t++ {
		h := hashAt(key, t)
		gap := 0
		if p.logq != 0 {
			g := portableLog(uniform01(h)) / p.logq
			if g >= float64(p.n) {
				return
			}
			gap = int(g)
		}
		i += 1 + gap
		if i >= p.n {
			return
		}
		// The low bit is independent enough of the top 53 bits used above.
		sign := float32(1)
		if h&1 != 0 {
			sign = -1
		}
		f(i, sign)
	}
}

// Project sets dst = P theta.
func (p *SparseProjector) Project(dst, theta []float32, _ *Workspace) {
	checkLens("Sparse.Project", p, dst, theta, p.n, p.d)
	clear(dst)
	for j, t := range theta {
		if t == 0 {
			continue
		}
		v := t * p.scale
		p.column(j, func(i int, sign float32) { dst[i] += sign * v })
	}
}

// ProjectT sets dst = P^T g.
func (p *SparseProjector) ProjectT(dst, g []float32, _ *Workspace) {
	checkLens("Sparse.ProjectT", p, dst, g, p.d, p.n)
	for j := range dst {
		var s float32
		p.column(j, func(i int, sign float32) { s += sign * g[i] })
		dst[j] = s * p.scale
	}
}
