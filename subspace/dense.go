package subspace

import "math"

// DenseProjector is a d -> n matrix of N(0,1) entries with every column
// scaled to unit Euclidean norm. Entry (i, j) is draw j*n+i of the stream
// (seed, name); nothing but the d column norms is stored, so each call costs
// n*d Gaussian draws: a reference for small tensors, not for a real model.
type DenseProjector struct {
	d, n int
	key  uint64
	inv  []float64 // 1 / norm of column j
}

// NewDense builds the Dense projector for tensor name.
func NewDense(seed uint64, name string, d, n int) *DenseProjector {
	p := &DenseProjector{d: d, n: n, key: streamKey(seed, name, tagDense), inv: make([]float64, d)}
	for j := range d {
		var s float64
		base := uint64(j) * uint64(n)
		for i := range n {
			v := normalAt(p.key, base+uint64(i))
			s += float64(v * v)
		}
		p.inv[j] = 1 / math.Sqrt(s)
	}
	return p
}

func (p *DenseProjector) D() int { return p.d }
func (p *DenseProjector) N() int { return p.n }

// StateBytes is 8 bytes per column (its norm).
func (p *DenseProjector) StateBytes() int64 { return int64(8 * len(p.inv)) }

// Project sets dst = P theta, accumulating in float64.
func (p *DenseProjector) Project(dst, theta []float32, _ *Workspace) {
	checkLens("Dense.Project", p, dst, theta, p.n, p.d)
	for i := range dst {
		var s float64
		for j, t := range theta {
			if t == 0 {
				continue
			}
			s += float64(normalAt(p.key, uint64(j)*uint64(p.n)+uint64(i)) * p.inv[j] * float64(t))
		}
		dst[i] = float32(s)
	}
}

// ProjectT sets dst = P^T g, accumulating in float64.
func (p *DenseProjector) ProjectT(dst, g []float32, _ *Workspace) {
	checkLens("Dense.ProjectT", p, dst, g, p.d, p.n)
	for j := range dst {
		var s float64
		base := uint64(j) * uint64(p.n)
		for i, v := range g {
			s += float64(normalAt(p.key, base+uint64(i)) * float64(v))
		}
		dst[j] = float32(s * p.inv[j])
	}
}
