package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"testing"
)

// referenceHash computes the documented scheme sequentially, straight from
// its description.
func referenceHash(t *testing.T, src Source) string {
	var stream []byte
	stream = append(stream, "idim checkpoint hash v1\n"...)
	u := func(v uint64) { stream = binary.LittleEndian.AppendUint64(stream, v) }
	names := src.Names()
	slices.Sort(names)
	for _, n := range names {
		info, _ := src.Info(n)
		b, err := src.Bytes(n)
		if err != nil {
			t.Fatal(err)
		}
		u(uint64(len(n)))
		stream = append(stream, n...)
		dt := info.DType.String()
		u(uint64(len(dt)))
		stream = append(stream, dt...)
		u(uint64(len(info.Shape)))
		for _, d := range info.Shape {
			u(uint64(d))
		}
		u(uint64(len(b)))
		for lo := 0; lo < len(b); lo += 4 << 20 {
			s := sha256.Sum256(b[lo:min(lo+4<<20, len(b))])
			stream = append(stream, s[:]...)
		}
	}
	s := sha256.Sum256(stream)
	return hex.EncodeToString(s[:])
}

func TestHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	big := 3<<20 + 12345 // 12 MB of F32: three full pieces and a partial one
	if testing.Short() {
		big = 1<<20 + 7
	}
	base := []Tensor{
		{Name: "big", Shape: []int{big}, Data: randomValues(rng, big)},
		{Name: "b", Shape: []int{2, 3}, DType: BF16, Data: randomValues(rng, 6)},
		{Name: "empty", Shape: []int{0}},
		{Name: "s", Shape: []int{}, Data: []float32{1}},
	}
	h0, err := Hash(parseTensors(t, base))
	if err != nil {
		t.Fatal(err)
	}
	if want := referenceHash(t, parseTensors(t, base)); h0 != want {
		t.Fatalf("Hash = %s, reference %s", h0, want)
	}
	if len(h0) != 64 {
		t.Errorf("Hash = %q, want 64 hex digits", h0)
	}
	variant := func(change func(ts []Tensor) []Tensor) string {
		ts := slices.Clone(base)
		ts = change(ts)
		h, err := Hash(parseTensors(t, ts))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// Changes that must change the hash.
	for name, change := range map[string]func([]Tensor) []Tensor{
		"one value": func(ts []Tensor) []Tensor {
			d := slices.Clone(ts[0].Data)
			d[len(d)-1] += 1
			ts[0].Data = d
			return ts
		},
		"a name":        func(ts []Tensor) []Tensor { ts[1].Name = "c"; return ts },
		"a shape":       func(ts []Tensor) []Tensor { ts[1].Shape = []int{3, 2}; return ts },
		"a dtype":       func(ts []Tensor) []Tensor { ts[1].DType = F16; return ts },
		"scalar vs [1]": func(ts []Tensor) []Tensor { ts[3].Shape = []int{1}; return ts },
		"extra empty": func(ts []Tensor) []Tensor {
			return append(ts, Tensor{Name: "empty2", Shape: []int{0}})
		},
	} {
		if h := variant(change); h == h0 {
			t.Errorf("changing %s left the hash unchanged", name)
		}
	}
	// Metadata and tensor order in the file do not matter.
	var buf []Tensor
	for i := len(base) - 1; i >= 0; i-- {
		buf = append(buf, base[i])
	}
	f := parseTensors(t, buf)
	if h, _ := Hash(f); h != h0 {
		t.Error("listing the tensors in another order changed the hash")
	}
	var raw bytes.Buffer
	if _, err := Encode(&raw, base, map[string]string{"format": "pt", "x": "y"}); err != nil {
		t.Fatal(err)
	}
	fm, err := Parse("m", raw.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := Hash(fm); h != h0 {
		t.Error("metadata changed the hash")
	}
}
