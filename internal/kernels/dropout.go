package kernels

import (
	"math"

	"github.com/idim-go/idim/internal/hash"
)

// golden is the increment of the counter that DropoutKeep hashes.
const golden = hash.Golden

// DropoutKeep reports whether element i survives dropout with probability p
// of being zeroed, under seed. It is a pure function of (seed, i): the mask
// does not depend on the number of threads or on the order of evaluation.
// The draw is the top 24 bits of splitmix64(seed + i*golden) as a uniform
// number u in [0, 1); the element is kept when u >= p.
func DropoutKeep(seed, i uint64, p float32) bool {
	z := hash.Mix64(seed + (i+1)*golden)
	u := float32(z>>40) * (1.0 / (1 << 24))
	return u >= p
}

// Dropout is
//
//	for i := range dst {
//		if DropoutKeep(seed, offset+uint64(i), p) {
//			dst[i] = x[i] * (1 / (1 - p))   // the scale rounded to float32 first
//		} else {
//			dst[i] = 0
//		}
//	}
//
// The same call with dy in place of x computes the backward. p must be in
// [0, 1); dst may alias x.
func Dropout(dst, x []float32, p float32, seed, offset uint64) {
	t := getTask(dropoutRange)
	t.dst, t.a, t.f0, t.u0 = dst, x, p, seed
	t.k = int(offset)
	run(t, len(dst), 1, 4096)
}

func dropoutRange(t *task, lo, hi int) {
	dropoutSpan(t.dst[lo:hi], t.a[lo:hi], t.f0, t.u0, uint64(t.k+lo))
}

// dropoutThreshold is the smallest 24-bit draw k that DropoutKeep keeps:
// k*2^-24 >= p exactly when k >= ceil(p*2^24).
func dropoutThreshold(p float32) uint64 {
	return uint64(math.Ceil(float64(p) * (1 << 24)))
}
