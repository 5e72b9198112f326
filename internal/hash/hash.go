// Package hash holds the two 64-bit hashes that idim's counter-based random
// streams are built from: SplitMix64's output function (Mix64) and FNV-1a
// (FNV1a). Data splits, shuffles and masks, subspace projections and
// dropout masks are regenerated from them, and adapters, checkpoints and
// recorded results depend on the exact bits, so neither may ever change.
package hash

// Golden is SplitMix64's counter increment, 2^64 divided by the golden
// ratio (odd).
const Golden = 0x9E3779B97F4A7C15

// Mix64 is SplitMix64's output function (its finaliser, without the counter
// step): a bijection on uint64 with good avalanche. The k-th output of
// SplitMix64 started at s is Mix64(s + k*Golden), k = 1, 2, ...
func Mix64(z uint64) uint64 {
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// FNV1a is the 64-bit FNV-1a hash of s (hash/fnv's New64a, without the
// allocation).
func FNV1a(s string) uint64 {
	h := uint64(0xCBF29CE484222325) // offset basis
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001B3 // prime
	}
	return h
}
