package hash

import (
	"hash/fnv"
	"math/bits"
	"testing"
)

// mix64Ref is SplitMix64's finaliser written from its definition, one step
// a line.
func mix64Ref(z uint64) uint64 {
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}

// TestSplitMix64Stream checks the first outputs of SplitMix64 seeded with 0
// (the reference implementation's published stream).
func TestSplitMix64Stream(t *testing.T) {
	want := []uint64{0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f}
	var s uint64
	for k, w := range want {
		s += Golden
		if got := Mix64(s); got != w {
			t.Errorf("output %d of SplitMix64(0): %#x, want %#x", k+1, got, w)
		}
	}
}

func TestMix64(t *testing.T) {
	z := uint64(1)
	for i := 0; i < 10000; i++ {
		if got, want := Mix64(z), mix64Ref(z); got != want {
			t.Fatalf("Mix64(%#x) = %#x, want %#x", z, got, want)
		}
		z = bits.RotateLeft64(z, 7)*3 + uint64(i)
	}
	for _, z := range []uint64{0, 1, 1 << 63, ^uint64(0)} {
		if got, want := Mix64(z), mix64Ref(z); got != want {
			t.Errorf("Mix64(%#x) = %#x, want %#x", z, got, want)
		}
	}
}

func TestFNV1a(t *testing.T) {
	for _, s := range []string{"", "a", "foobar", "encoder.layer.3.output.dense.weight", "\x00\xff\x80 é"} {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := FNV1a(s), h.Sum64(); got != want {
			t.Errorf("FNV1a(%q) = %#x, hash/fnv says %#x", s, got, want)
		}
	}
}

func FuzzFNV1a(f *testing.F) {
	f.Add("roberta.embeddings.word_embeddings.weight")
	f.Fuzz(func(t *testing.T, s string) {
		h := fnv.New64a()
		h.Write([]byte(s))
		if got, want := FNV1a(s), h.Sum64(); got != want {
			t.Errorf("FNV1a(%q) = %#x, hash/fnv says %#x", s, got, want)
		}
	})
}
