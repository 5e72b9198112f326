package subspace

import (
	"math"
	"sync"
)

// The generator is counter based: value number ctr of the stream with key
// key is mix64(key + (ctr+1)*golden), the output function of SplitMix64. Any
// element of any projection can be regenerated on its own, in any order and
// from any goroutine, which is what lets the projectors store (almost)
// nothing.

const golden = 0x9E3779B97F4A7C15

// mix64 is the SplitMix64 finaliser (a bijection on uint64).
func mix64(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// hashAt is value number ctr of the stream key.
func hashAt(key, ctr uint64) uint64 { return mix64(key + (ctr+1)*golden) }

// streamKey derives the key of one random stream from the user's seed, the
// tensor's name and a stream tag (which part of the projection it drives).
// The name is hashed with 64-bit FNV-1a.
func streamKey(seed uint64, name string, tag uint64) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return mix64(mix64(seed^golden) ^ mix64(h+tag*golden))
}

// Stream tags.
const (
	tagDense = iota + 1
	tagSparse
	tagFFSign
	tagFFGauss
	tagFFPerm
)

// uniform01 maps 64 random bits to a float64 in (0, 1].
func uniform01(h uint64) float64 {
	return (float64(h>>11) + 1) * (1.0 / (1 << 53))
}

// normalAt is a N(0,1) draw (Box-Muller, cosine branch) from value ctr of
// stream key. Dense uses it.
func normalAt(key, ctr uint64) float64 {
	h := hashAt(key, ctr)
	u1 := (float64(h>>32) + 1) * (1.0 / (1 << 32)) // (0, 1]
	u2 := float64(uint32(h)) * (1.0 / (1 << 32))   // [0, 1)
	return math.Sqrt(-2*math.Log(u1)) * math.Cos(2*math.Pi*u2)
}

// normTable holds the 65536 equiprobable quantiles of N(0,1): entry k is
// Phi^-1((k + 1/2) / 65536). Indexing it with 16 random bits draws from a
// normal distribution quantised to 65536 levels (|z| <= 4.17), four draws per
// 64-bit hash, about a nanosecond each: this is how Fastfood regenerates G
// instead of storing it.
var normTable = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for k := range t {
		p := (float64(k) + 0.5) / (1 << 16)
		t[k] = float32(math.Sqrt2 * math.Erfinv(2*p-1))
	}
	return &t
})
