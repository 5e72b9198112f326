package devicetest

import "math/rand/v2"

// Random shapes, drawn once from a fixed seed so that every run (and every
// device) sees the same ones.

// randomBinaryShapes draws n pairs of broadcast-compatible shapes of rank
// 1..4 with dims 1..5: b drops some leading dims of a and sets others to 1,
// and the pair is swapped at random.
func randomBinaryShapes(seed uint64, n int) [][]Spec {
	rng := rand.New(rand.NewPCG(seed, 1))
	var out [][]Spec
	for len(out) < n {
		rank := 1 + rng.IntN(4)
		a := make([]int, rank)
		for i := range a {
			a[i] = 1 + rng.IntN(5)
		}
		drop := rng.IntN(rank)
		b := append([]int(nil), a[drop:]...)
		for i := range b {
			if rng.IntN(3) == 0 {
				b[i] = 1
			}
		}
		if rng.IntN(2) == 0 {
			a, b = b, a
		}
		out = append(out, []Spec{sp(a...), sp(b...)})
	}
	return out
}

// randomMatmul draws n matmul variants with m, k, n in 1..9 and batch
// layouts (none, shared, broadcast a, broadcast b).
func randomMatmul(seed uint64, n int) []mmDims {
	rng := rand.New(rand.NewPCG(seed, 2))
	var out []mmDims
	for len(out) < n {
		d := mmDims{m: 1 + rng.IntN(9), k: 1 + rng.IntN(9), n: 1 + rng.IntN(9)}
		batch := []int{1 + rng.IntN(3)}
		if rng.IntN(2) == 0 {
			batch = append(batch, 1+rng.IntN(2))
		}
		switch rng.IntN(4) {
		case 1:
			d.ba, d.bb = batch, batch
		case 2:
			d.bb = batch
		case 3:
			d.ba = batch
		}
		out = append(out, d)
	}
	return out
}

// randomShapes draws n shapes of rank lo..hi with dims 1..maxDim.
func randomShapes(seed uint64, n, lo, hi, maxDim int) [][]Spec {
	rng := rand.New(rand.NewPCG(seed, 3))
	var out [][]Spec
	for len(out) < n {
		s := make([]int, lo+rng.IntN(hi-lo+1))
		for i := range s {
			s[i] = 1 + rng.IntN(maxDim)
		}
		out = append(out, []Spec{sp(s...)})
	}
	return out
}
