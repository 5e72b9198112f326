package train

// mix is SplitMix64's finaliser over a combination of the values: the seed
// of one dropout stream, a pure function of (seed, step, micro-batch).
func mix(vals ...uint64) uint64 {
	var h uint64 = 0x243F6A8885A308D3
	for _, v := range vals {
		h += v + 0x9E3779B97F4A7C15
		h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9
		h = (h ^ (h >> 27)) * 0x94D049BB133111EB
		h ^= h >> 31
	}
	return h
}
