package train

import "github.com/idim-go/idim/internal/hash"

// mix is SplitMix64's finaliser over a combination of the values: the seed
// of one dropout stream, a pure function of (seed, step, micro-batch).
func mix(vals ...uint64) uint64 {
	var h uint64 = 0x243F6A8885A308D3
	for _, v := range vals {
		h = hash.Mix64(h + v + hash.Golden)
	}
	return h
}
