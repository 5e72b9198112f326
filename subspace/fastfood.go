package subspace

import (
	"math"
	"math/bits"

	"github.com/idim-go/idim/internal/cpu"
)

// FastfoodProjector is the Fastfood transform of Le, Sarlos and Smola as the
// paper uses it, one per parameter tensor. With L = 2^ceil(log2 n) the
// tensor's padded size and H the unnormalised L x L Walsh-Hadamard matrix,
//
//	P x = (H G Pi H B x_pad)[:n] / (||G|| sqrt(n))
//
// where x_pad is x padded with zeros to L, B is diagonal +-1, G diagonal
// N(0,1), Pi a permutation ((Pi v)_i = v[pi(i)]) and ||G|| the Euclidean norm
// of G's diagonal. Column j of H G Pi H B has squared norm L ||G||^2 exactly,
// so after cropping to n rows its squared norm is about n ||G||^2 and the
// columns of P have norm close to 1.
//
// d > L. The reference code pads x to L and would crop any x longer than
// that. Here theta_d is split into K = ceil(d/L) chunks of L (the last one
// shorter), chunk k goes through its own independent Fastfood (streams keyed
// by name+"#k" for k >= 1), and the results are summed:
// P = [P_0 P_1 ... P_{K-1}] as a block row. Every column belongs to exactly
// one block and keeps norm close to 1, as for Dense, so no rescaling is
// needed.
//
// Memory: B, G and Pi are regenerated on every call from the counter-based
// generator (B: one bit per element; G: 16 bits per element through an
// inverse-CDF table, i.e. N(0,1) quantised to 65536 equiprobable levels; Pi:
// a keyed bijection of the log2(L)-bit indices made of xor, odd
// multiplication and xorshift rounds, a pseudo-random permutation rather
// than a uniformly random one). The projector keeps 32 bytes per chunk;
// calls need a Workspace of 2L float32.
type FastfoodProjector struct {
	d, n, l int
	logL    uint
	chunks  []ffChunk
}

type ffChunk struct {
	lo, hi     int    // theta_d[lo:hi]
	keyB, keyG uint64 // streams of B and G
	perm       permKey
	scale      float32 // 1 / (||G|| sqrt(n))
}

// NewFastfood builds the Fastfood projector for tensor name.
func NewFastfood(seed uint64, name string, d, n int) *FastfoodProjector {
	logL := uint(bits.Len(uint(n - 1)))
	l := 1 << logL
	p := &FastfoodProjector{d: d, n: n, l: l, logL: logL}
	for lo, k := 0, 0; lo < d; lo, k = lo+l, k+1 {
		key := name
		if k > 0 {
			key = name + "#" + itoa(k)
		}
		c := ffChunk{lo: lo, hi: min(lo+l, d),
			keyB: streamKey(seed, key, tagFFSign),
			keyG: streamKey(seed, key, tagFFGauss),
			perm: newPermKey(streamKey(seed, key, tagFFPerm), logL),
		}
		var s float64
		for i := 0; i < l; i++ {
			g := float64(gaussAt(c.keyG, i))
			s += g * g
		}
		c.scale = float32(1 / (math.Sqrt(s) * math.Sqrt(float64(n))))
		p.chunks = append(p.chunks, c)
	}
	return p
}

func itoa(k int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + k%10)
		k /= 10
		if k == 0 {
			return string(b[i:])
		}
	}
}

func (p *FastfoodProjector) D() int { return p.d }
func (p *FastfoodProjector) N() int { return p.n }

// L is the padded size 2^ceil(log2 n).
func (p *FastfoodProjector) L() int { return p.l }

// Chunks is ceil(d / L), the number of independent Fastfood blocks.
func (p *FastfoodProjector) Chunks() int { return len(p.chunks) }

// StateBytes counts the per-chunk keys and scales.
func (p *FastfoodProjector) StateBytes() int64 { return int64(len(p.chunks)) * 48 }

// gaussAt is G_i of the stream key.
func gaussAt(key uint64, i int) float32 {
	h := hashAt(key, uint64(i)>>2)
	return normTable()[uint16(h>>(16*(uint(i)&3)))]
}

// signAt is B_i of the stream key (+1 or -1).
func signAt(key uint64, i int) float32 {
	h := hashAt(key, uint64(i)>>6)
	if h>>(uint(i)&63)&1 != 0 {
		return -1
	}
	return 1
}

// permKey is a keyed bijection of [0, 2^bits).
type permKey struct {
	mask     uint64
	xor      [3]uint64
	mul      [3]uint64
	shift    uint
	identity bool
}

func newPermKey(key uint64, logL uint) permKey {
	pk := permKey{mask: 1<<logL - 1, shift: (logL + 1) / 2, identity: logL == 0}
	for r := range 3 {
		pk.xor[r] = hashAt(key, uint64(2*r)) & pk.mask
		pk.mul[r] = hashAt(key, uint64(2*r+1)) | 1
	}
	return pk
}

// at is pi(i): each round (xor a constant, multiply by an odd constant, and
// xorshift, all mod 2^bits) is a bijection, so their composition is one.
func (pk *permKey) at(i int) int {
	if pk.identity {
		return 0
	}
	x := uint64(i)
	for r := range 3 {
		x ^= pk.xor[r]
		x = x * pk.mul[r] & pk.mask
		x ^= x >> pk.shift
	}
	return int(x)
}

// Parallelism inside one call: only for transforms at least this long.
const ffParallelMin = 1 << 16

// Project sets dst = P theta.
func (p *FastfoodProjector) Project(dst, theta []float32, ws *Workspace) {
	checkLens("Fastfood.Project", p, dst, theta, p.n, p.d)
	if ws == nil {
		ws = new(Workspace)
	}
	a := ws.f32(&ws.a, p.l)
	b := ws.f32(&ws.b, p.l)
	for k := range p.chunks {
		c := &p.chunks[k]
		x := theta[c.lo:c.hi]
		// a = B x_pad
		for i, v := range x {
			a[i] = signAt(c.keyB, i) * v
		}
		clear(a[len(x):])
		transform(a)
		// b = G Pi a
		ws.ff = ffTask{op: ffGather, c: c, a: a, b: b}
		p.run(ws)
		transform(b)
		// dst (+)= b[:n] * scale
		ws.ff = ffTask{op: ffCrop, c: c, a: b, b: dst, first: k == 0}
		p.run(ws)
	}
	ws.ff = ffTask{}
}

// ProjectT sets dst = P^T g = [P_0^T g; P_1^T g; ...] with
// P_k^T g = B H Pi^T G H (g_pad * scale).
func (p *FastfoodProjector) ProjectT(dst, g []float32, ws *Workspace) {
	checkLens("Fastfood.ProjectT", p, dst, g, p.d, p.n)
	if ws == nil {
		ws = new(Workspace)
	}
	a := ws.f32(&ws.a, p.l)
	b := ws.f32(&ws.b, p.l)
	for k := range p.chunks {
		c := &p.chunks[k]
		s := c.scale
		for i, v := range g {
			a[i] = v * s
		}
		clear(a[p.n:])
		transform(a)
		// b = Pi^T G a: b[pi(i)] = G_i a_i
		ws.ff = ffTask{op: ffScatter, c: c, a: a, b: b}
		p.run(ws)
		transform(b)
		out := dst[c.lo:c.hi]
		for i := range out {
			out[i] = signAt(c.keyB, i) * b[i]
		}
	}
	ws.ff = ffTask{}
}

func (p *FastfoodProjector) run(ws *Workspace) {
	t := &ws.ff
	n := p.l
	if t.op == ffCrop {
		n = p.n
	}
	if p.l >= ffParallelMin {
		cpu.Parallel(n, 4096, 0, t)
	} else {
		t.Run(0, 0, n)
	}
}

const (
	ffGather = iota + 1
	ffScatter
	ffCrop
)

// ffTask is one elementwise stage of a Fastfood call, run in parallel over
// index ranges (lo and hi are multiples of 4096, or the end).
type ffTask struct {
	op    int
	c     *ffChunk
	a, b  []float32
	first bool
}

func (t *ffTask) Run(_, lo, hi int) {
	c := t.c
	switch t.op {
	case ffGather:
		a, b := t.a, t.b
		for i := lo; i < hi; i++ {
			b[i] = gaussAt(c.keyG, i) * a[c.perm.at(i)]
		}
	case ffScatter:
		a, b := t.a, t.b
		for i := lo; i < hi; i++ {
			b[c.perm.at(i)] = gaussAt(c.keyG, i) * a[i]
		}
	case ffCrop:
		src, dst, s := t.a[lo:hi], t.b[lo:hi], c.scale
		if t.first {
			for i, v := range src {
				dst[i] = v * s
			}
		} else {
			for i, v := range src {
				dst[i] += v * s
			}
		}
	}
}
