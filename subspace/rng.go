package subspace

import (
	"math"

	"github.com/idim-go/idim/internal/hash"
)

// The generator is counter based: value number ctr of the stream with key
// key is hash.Mix64(key + (ctr+1)*hash.Golden), the output function of
// SplitMix64. Any element of any projection can be regenerated on its own,
// in any order and from any goroutine, which is what lets the projectors
// store (almost) nothing.

// hashAt is value number ctr of the stream key.
func hashAt(key, ctr uint64) uint64 { return hash.Mix64(key + (ctr+1)*hash.Golden) }

// streamKey derives the key of one random stream from the user's seed, the
// tensor's name and a stream tag (which part of the projection it drives).
// The name is hashed with 64-bit FNV-1a.
func streamKey(seed uint64, name string, tag uint64) uint64 {
	h := hash.FNV1a(name)
	return hash.Mix64(hash.Mix64(seed^hash.Golden) ^ hash.Mix64(h+tag*hash.Golden))
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

// normalAt is a N(0,1) draw from value ctr of stream key, by Marsaglia's
// polar method (retries re-mix the hash). Dense uses it. Like everything
// here it uses only correctly rounded operations (+, -, *, /, sqrt) and
// portableLog, with explicit float64 conversions that forbid fused
// multiply-adds, so it gives the same bits on every platform.
func normalAt(key, ctr uint64) float64 {
	h := hashAt(key, ctr)
	for {
		u := float64(uint32(h>>32))*(1.0/(1<<31)) - 1 // [-1, 1)
		v := float64(uint32(h))*(1.0/(1<<31)) - 1
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*portableLog(s)/s)
		}
		h = hash.Mix64(h + hash.Golden)
	}
}

// portableLog is the natural logarithm of x > 0 (finite), to about 1 ulp,
// with the same result on every platform (math.Log has an amd64 assembly
// version, and arm64 may fuse the polynomial's multiply-adds). With
// x = m 2^e, m in [sqrt(1/2), sqrt(2)): log x = e ln2 + 2 atanh(z),
// z = (m-1)/(m+1), |z| < 0.172, and atanh by its series to z^27.
func portableLog(x float64) float64 {
	m, e := math.Frexp(x) // m in [0.5, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	z := (m - 1) / (m + 1)
	z2 := float64(z * z)
	// 1/3 + z2/5 + z2^2/7 + ... by Horner.
	var p float64
	for k := 27; k >= 3; k -= 2 {
		p = float64(p*z2) + 1/float64(k)
	}
	atanh2 := 2*z + float64(float64(2*z)*float64(z2*p))
	const ln2Hi, ln2Lo = 6.93147180369123816490e-01, 1.90821492927058770002e-10
	fe := float64(e)
	return float64(fe*ln2Hi) + (float64(fe*ln2Lo) + atanh2)
}
