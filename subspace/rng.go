package subspace

import "math"

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
