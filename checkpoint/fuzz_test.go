package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// FuzzSafetensorsReader feeds arbitrary bytes to Parse: it must return an
// error (a *FormatError) or a file whose every tensor can be read, and
// which writes back to a file with the same tensors.
func FuzzSafetensorsReader(f *testing.F) {
	f.Add(handFile())
	rng := rand.New(rand.NewPCG(1, 1))
	for _, ts := range [][]Tensor{
		smallModel(rng)[:3],
		{{Name: "s", Shape: []int{}, Data: []float32{1}}, {Name: "e", Shape: []int{0, 2}, DType: F16}},
		{{Name: "w", Shape: []int{2, 2}, DType: F16, Data: []float32{1, 2, 3, 4}}, {Name: "m", Shape: []int{2}, DType: BOOL, Raw: []byte{0, 1}}},
		nil,
	} {
		var buf bytes.Buffer
		Encode(&buf, ts, map[string]string{"format": "pt"})
		f.Add(buf.Bytes())
	}
	f.Add(build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}`, make([]byte, 16)))
	f.Add(build(`{"a":{"dtype":"F4","shape":[4],"data_offsets":[0,2]}}`, make([]byte, 2)))
	f.Add(build(`{"__metadata__":{}}`, nil))
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz", data)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		var again []Tensor
		var covered int64
		for _, name := range file.Names() {
			info, ok := file.Info(name)
			if !ok {
				t.Fatalf("Info(%q) missing", name)
			}
			b, err := file.Bytes(name)
			if err != nil || int64(len(b)) != info.NumBytes() {
				t.Fatalf("Bytes(%q): %d bytes, %v; info %+v", name, len(b), err, info)
			}
			covered += int64(len(b))
			if info.DType.IsFloat() {
				shape, vals, err := file.Tensor(name)
				if err != nil || len(vals) != info.NumElements() || !slices.Equal(shape, info.Shape) {
					t.Fatalf("Tensor(%q): %v %d values, %v", name, shape, len(vals), err)
				}
				dst := make([]float32, len(vals))
				if err := file.ReadInto(name, dst); err != nil {
					t.Fatal(err)
				}
				for i := range dst {
					if !sameFloat(dst[i], vals[i]) {
						t.Fatalf("ReadInto and Tensor disagree on %q[%d]", name, i)
					}
				}
			}
			again = append(again, Tensor{Name: name, Shape: info.Shape, DType: info.DType, Raw: bytes.Clone(b)})
		}
		if covered != int64(len(file.buf)) {
			t.Fatalf("tensors cover %d of %d data bytes", covered, len(file.buf))
		}
		var buf bytes.Buffer
		if _, err := Encode(&buf, again, file.Metadata()); err != nil {
			t.Fatalf("re-encoding a valid file: %v", err)
		}
		back, err := Parse("again", buf.Bytes())
		if err != nil {
			t.Fatalf("re-encoded file rejected: %v", err)
		}
		if !slices.Equal(back.Names(), file.Names()) || !reflect.DeepEqual(back.Metadata(), file.Metadata()) {
			t.Fatal("re-encoded file differs")
		}
		for _, name := range file.Names() {
			a, _ := file.Bytes(name)
			b, _ := back.Bytes(name)
			if !bytes.Equal(a, b) {
				t.Fatalf("re-encoded %q differs", name)
			}
		}
	})
}

// FuzzConfig decodes arbitrary bytes as a config.json into a struct and a
// map: no panic, and what decodes re-encodes and decodes to the same.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(robertaJSON))
	f.Add([]byte(`{"hidden_size": 1e400}`))
	f.Add([]byte(`{"id2label": {"0": 1}}`))
	f.Add([]byte(`{"architectures": null, "layer_norm_eps": -0}`))
	f.Add([]byte("{\n\"a\":\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c robertaConfig
		if err := DecodeConfig("config.json", data, &c); err == nil {
			b, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var c2 robertaConfig
			if err := DecodeConfig("again", b, &c2); err != nil || !reflect.DeepEqual(c, c2) {
				t.Fatalf("round trip: %+v vs %+v, %v", c, c2, err)
			}
		}
		var m map[string]any
		DecodeConfig("config.json", data, &m)
	})
}
