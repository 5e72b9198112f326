package kernels

// DropoutKeep reports whether element i survives dropout with probability p
// of being zeroed, under seed. It is a pure function of (seed, i): the mask
// does not depend on the number of threads or on the order of evaluation.
// The draw is the top 24 bits of splitmix64(seed + i*golden) as a uniform
// number u in [0, 1); the element is kept when u >= p.
func DropoutKeep(seed, i uint64, p float32) bool {
	z := seed + (i+1)*0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	u := float32(z>>40) * (1.0 / (1 << 24))
	return u >= p
}

// Dropout is
//
//	for i := range dst {
//		if DropoutKeep(seed, offset+uint64(i), p) {
//			dst[i] = x[i] / (1 - p)
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
	x := t.a[lo:hi]
	dst := t.dst[lo:hi]
	p := t.f0
	inv := 1 / (1 - p)
	base := uint64(t.k + lo)
	for i, v := range x {
		if DropoutKeep(t.u0, base+uint64(i), p) {
			dst[i] = v * inv
		} else {
			dst[i] = 0
		}
	}
}
