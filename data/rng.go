package data

import (
	"math/bits"

	"github.com/idim-go/idim/internal/hash"
)

// A small counter-based random generator. idim's splits, shuffles and MLM
// masks must be the same on every Go release and every machine, so they do not
// use math/rand: every stream here is SplitMix64 started from a key that mixes
// the user's seed with counters (epoch, step, row), which is what lets a
// resumed run regenerate exactly the masks and orders it would have produced.

// key folds a seed and any number of counters into one 64-bit stream key.
func key(seed uint64, counters ...uint64) uint64 {
	k := hash.Mix64(seed + hash.Golden)
	for _, c := range counters {
		k = hash.Mix64(k ^ hash.Mix64(c+0x632be59bd9b4e019))
	}
	return k
}

// rng is SplitMix64.
type rng struct{ s uint64 }

func newRNG(seed uint64, counters ...uint64) *rng { return &rng{s: key(seed, counters...)} }

func (r *rng) next() uint64 {
	r.s += hash.Golden
	return hash.Mix64(r.s)
}

// float64 returns a uniform number in [0, 1) with 53 random bits.
func (r *rng) float64() float64 { return float64(r.next()>>11) * (1.0 / (1 << 53)) }

// intn returns a uniform integer in [0, n) (Lemire's multiply-shift with
// rejection, so there is no modulo bias). n must be positive.
func (r *rng) intn(n int) int {
	if n <= 0 {
		panic("data: intn with n <= 0")
	}
	bound := uint64(n)
	for {
		hi, lo := bits.Mul64(r.next(), bound)
		if lo >= bound || lo >= (-bound)%bound {
			return int(hi)
		}
	}
}

// shuffle is Fisher-Yates over n elements.
func (r *rng) shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		swap(i, j)
	}
}

// perm returns a random permutation of 0..n-1.
func (r *rng) perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	r.shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}
