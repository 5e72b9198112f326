package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// build assembles a safetensors file from a header and a data buffer,
// without any of the package's code.
func build(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

func le32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

func le16(vs ...uint16) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint16(b, v)
	}
	return b
}

// handFile is a file written byte by byte from the format description:
// F32 [2] = {1, -2.5}; BF16 [3] = {1, -3, +Inf}; F16 scalar = -5;
// I64 [2] = {7, -1}; F16 [0] (empty).
func handFile() []byte {
	header := `{"__metadata__":{"format":"pt","note":"hand"},` +
		`"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"pos":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},` +
		`"b":{"dtype":"BF16","shape":[3],"data_offsets":[24,30]},` +
		`"c":{"dtype":"F16","shape":[],"data_offsets":[30,32]},` +
		`"empty":{"dtype":"F16","shape":[0],"data_offsets":[32,32]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	var data []byte
	data = append(data, le32(0x3f800000, 0xc0200000)...)
	data = binary.LittleEndian.AppendUint64(data, 7)
	data = binary.LittleEndian.AppendUint64(data, math.MaxUint64) // -1
	data = append(data, le16(0x3f80, 0xc040, 0x7f80)...)
	data = append(data, le16(0xc500)...) // -5: 1 10001 0100000000
	return build(header, data)
}

func writeTemp(t testing.TB, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// openModes runs f on the file opened each way: mmap (where available),
// read into memory, and Parse.
func openModes(t *testing.T, raw []byte, f func(t *testing.T, file *File)) {
	path := writeTemp(t, "model.safetensors", raw)
	for _, mode := range []string{"mmap", "read", "parse"} {
		t.Run(mode, func(t *testing.T) {
			var file *File
			var err error
			switch mode {
			case "parse":
				file, err = Parse("model.safetensors", raw)
			case "read":
				old := useMmap
				useMmap = false
				file, err = Open(path)
				useMmap = old
			default:
				file, err = Open(path)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			f(t, file)
		})
	}
}

func TestHandBuiltFile(t *testing.T) {
	openModes(t, handFile(), func(t *testing.T, f *File) {
		if got, want := f.Names(), []string{"a", "b", "c", "empty", "pos"}; !slices.Equal(got, want) {
			t.Fatalf("Names = %q, want %q", got, want)
		}
		if m := f.Metadata(); len(m) != 2 || m["format"] != "pt" || m["note"] != "hand" {
			t.Errorf("Metadata = %v", m)
		}
		for _, c := range []struct {
			name  string
			shape []int
			vals  []float32
		}{
			{"a", []int{2}, []float32{1, -2.5}},
			{"b", []int{3}, []float32{1, -3, float32(math.Inf(1))}},
			{"c", []int{}, []float32{-5}},
			{"empty", []int{0}, []float32{}},
		} {
			shape, vals, err := f.Tensor(c.name)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(shape, c.shape) || !slices.Equal(vals, c.vals) {
				t.Errorf("Tensor(%q) = %v %v, want %v %v", c.name, shape, vals, c.shape, c.vals)
			}
			dst := make([]float32, len(c.vals))
			if err := f.ReadInto(c.name, dst); err != nil || !slices.Equal(dst, c.vals) {
				t.Errorf("ReadInto(%q) = %v, %v", c.name, dst, err)
			}
		}
		info, ok := f.Info("pos")
		if !ok || info.DType != I64 || info.Begin != 8 || info.End != 24 || !slices.Equal(info.Shape, []int{2}) {
			t.Errorf("Info(pos) = %+v", info)
		}
		b, err := f.Bytes("pos")
		if err != nil || int64(binary.LittleEndian.Uint64(b[8:])) != -1 || binary.LittleEndian.Uint64(b) != 7 {
			t.Errorf("Bytes(pos) = %v, %v", b, err)
		}
		if _, _, err := f.Tensor("pos"); err == nil || !strings.Contains(err.Error(), `"pos"`) || !strings.Contains(err.Error(), "I64") {
			t.Errorf("Tensor(pos) error = %v, want one naming the tensor and I64", err)
		}
		if err := f.ReadInto("a", make([]float32, 3)); err == nil || !strings.Contains(err.Error(), "3") {
			t.Errorf("ReadInto with 3 slots: %v", err)
		}
		if _, _, err := f.Tensor("nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
			t.Errorf("Tensor(nope): %v", err)
		}
		if f.Has("nope") || !f.Has("a") || f.Len() != 5 {
			t.Error("Has/Len wrong")
		}
	})
}

// The serialization worked out in the reference implementation's tests:
// one F32 tensor "attn.0" of shape [1,2,3] holding 0..5, no metadata; its
// 64-byte header needs no padding.
func TestEncodeMatchesReferenceBytes(t *testing.T) {
	header := `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`
	want := build(header, le32(0, 0x3f800000, 0x40000000, 0x40400000, 0x40800000, 0x40a00000))
	var buf bytes.Buffer
	n, err := Encode(&buf, []Tensor{{Name: "attn.0", Shape: []int{1, 2, 3}, Data: []float32{0, 1, 2, 3, 4, 5}}}, nil)
	if err != nil || n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("Encode = %q (%d, %v)\nwant     %q", buf.Bytes(), n, err, want)
	}
	// The same with a 4-d shape: 7 spaces of padding.
	header = `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}` + "       "
	want = build(header, le32(0, 0x3f800000, 0x40000000, 0x40400000, 0x40800000, 0x40a00000))
	buf.Reset()
	if _, err := Encode(&buf, []Tensor{{Name: "attn0", Shape: []int{1, 1, 2, 3}, Data: []float32{0, 1, 2, 3, 4, 5}}}, nil); err != nil || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("Encode = %q, want %q", buf.Bytes(), want)
	}
	// No tensors, metadata only.
	buf.Reset()
	want = build(`{"__metadata__":{"framework":"pt"}}     `, nil)
	if _, err := Encode(&buf, nil, map[string]string{"framework": "pt"}); err != nil || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("Encode = %q, want %q", buf.Bytes(), want)
	}
}

func TestZeroCopy(t *testing.T) {
	vals := make([]float32, 1000)
	for i := range vals {
		vals[i] = float32(i) - 0.5
	}
	var buf bytes.Buffer
	if _, err := Encode(&buf, []Tensor{{Name: "w", Shape: []int{10, 100}, Data: vals}, {Name: "h", Shape: []int{3}, DType: BF16, Data: []float32{1, 2, 3}}}, nil); err != nil {
		t.Fatal(err)
	}
	openModes(t, buf.Bytes(), func(t *testing.T, f *File) {
		_, got, err := f.Tensor("w")
		if err != nil || !slices.Equal(got, vals) {
			t.Fatalf("Tensor(w): %v", err)
		}
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(f.data)))
		p := uintptr(unsafe.Pointer(unsafe.SliceData(got)))
		if hostLittleEndian && (p < lo || p >= lo+uintptr(len(f.data))) {
			t.Errorf("F32 tensor was copied, want a view of the file's bytes")
		}
		_, h, _ := f.Tensor("h")
		p = uintptr(unsafe.Pointer(unsafe.SliceData(h)))
		if p >= lo && p < lo+uintptr(len(f.data)) {
			t.Errorf("BF16 tensor aliases the file")
		}
	})
	// An unaligned F32 tensor (possible in a file from another writer) is
	// converted, not viewed.
	header := `{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"y":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}}`
	for len(header)%8 != 0 {
		header += " "
	}
	raw := build(header, append([]byte{9}, le32(0x3f800000, 0x40000000)...))
	openModes(t, raw, func(t *testing.T, f *File) {
		_, y, err := f.Tensor("y")
		if err != nil || !slices.Equal(y, []float32{1, 2}) {
			t.Fatalf("unaligned Tensor(y) = %v, %v", y, err)
		}
	})
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	f, err := Open(writeTemp(t, "m.safetensors", handFile()))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.Tensor("a"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Tensor after Close: %v", err)
	}
}

func TestOpenMissingFile(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "nope.safetensors"))
	if err == nil || !strings.Contains(err.Error(), "nope.safetensors") {
		t.Errorf("Open(missing) = %v", err)
	}
}

// pad8 pads a header with spaces as writers do.
func pad8(h string) string {
	for len(h)%8 != 0 {
		h += " "
	}
	return h
}

func TestRejects(t *testing.T) {
	valid := handFile()
	lenBytes := func(n uint64, rest []byte) []byte {
		return append(binary.LittleEndian.AppendUint64(nil, n), rest...)
	}
	f32 := func(name, shape, offs string) string {
		return `"` + name + `":{"dtype":"F32","shape":` + shape + `,"data_offsets":` + offs + `}`
	}
	zeros := func(n int) []byte { return make([]byte, n) }
	cases := []struct {
		name   string
		raw    []byte
		tensor string // expected FormatError.Tensor
		field  string // expected FormatError.Field
		want   []string
	}{
		{"empty file", nil, "", "header length", []string{"0 bytes", "8-byte header length"}},
		{"truncated length", valid[:5], "", "header length", []string{"5 bytes"}},
		{"truncated header", valid[:40], "", "header length", []string{"runs past the end of the file"}},
		{"truncated data", valid[:len(valid)-1], "c", "data_offsets", []string{"[30,32]", "run past the end of the data buffer (31 bytes)"}},
		{"header length beyond file", lenBytes(1000, []byte("{}")), "", "header length", []string{"header length 1000", "2 bytes"}},
		{"header too large", lenBytes(MaxHeaderBytes+1, nil), "", "header length", []string{"above the limit"}},
		{"header length 2^64-1", lenBytes(math.MaxUint64, nil), "", "header length", []string{"above the limit"}},
		{"bad JSON", build(`{"a":{"dtype":"F32",}`, nil), "", "header", []string{"not valid JSON"}},
		{"not an object", build(`[1,2]   `, nil), "", "header", []string{"not a JSON object"}},
		{"trailing garbage", build(`{}x     `, nil), "", "header", []string{"after its JSON object"}},
		{"invalid UTF-8", build("{\"\xff\":1}", nil), "", "header", []string{"UTF-8"}},
		{"duplicate name", build(pad8(`{`+f32("w", "[1]", "[0,4]")+`,`+f32("w", "[1]", "[4,8]")+`}`), zeros(8)), "w", "header", []string{"twice"}},
		{"entry not an object", build(pad8(`{"w":[1,2]}`), nil), "w", "header", []string{"not an object"}},
		{"unknown dtype", build(pad8(`{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}`), zeros(4)), "w", "dtype", []string{`dtype "F33"`}},
		{"dtype not a string", build(pad8(`{"w":{"dtype":32,"shape":[1],"data_offsets":[0,4]}}`), zeros(4)), "w", "dtype", []string{"not a string"}},
		{"missing dtype", build(pad8(`{"w":{"shape":[1],"data_offsets":[0,4]}}`), zeros(4)), "w", "dtype", []string{"dtype is missing"}},
		{"missing data_offsets", build(pad8(`{"w":{"dtype":"F32","shape":[1]}}`), zeros(4)), "w", "data_offsets", []string{"data_offsets is missing"}},
		{"negative shape", build(pad8(`{`+f32("w", "[2,-2]", "[0,16]")+`}`), zeros(16)), "w", "shape", []string{"-2 is negative"}},
		{"fractional shape", build(pad8(`{`+f32("w", "[2.5]", "[0,10]")+`}`), zeros(10)), "w", "shape", []string{"2.5"}},
		{"string in shape", build(pad8(`{`+f32("w", `["2"]`, "[0,8]")+`}`), zeros(8)), "w", "shape", []string{"not a number"}},
		{"shape not a list", build(pad8(`{`+f32("w", `"2"`, "[0,8]")+`}`), zeros(8)), "w", "shape", []string{"not a list"}},
		{"shape overflow", build(pad8(`{`+f32("w", "[2147483647,2147483647,2147483647,4]", "[0,8]")+`}`), zeros(8)), "w", "shape", []string{"overflows"}},
		{"huge dimension", build(pad8(`{`+f32("w", "[99999999999999999999]", "[0,8]")+`}`), zeros(8)), "w", "shape", []string{"not an integer in range"}},
		{"negative offset", build(pad8(`{`+f32("w", "[1]", "[-4,0]")+`}`), nil), "w", "data_offsets", []string{"negative"}},
		{"three offsets", build(pad8(`{`+f32("w", "[1]", "[0,4,8]")+`}`), zeros(4)), "w", "data_offsets", []string{"not a pair"}},
		{"offsets reversed", build(pad8(`{`+f32("w", "[0]", "[4,0]")+`}`), zeros(4)), "w", "data_offsets", []string{"[4,0]", "end before they begin"}},
		{"offsets out of range", build(pad8(`{`+f32("w", "[2]", "[0,8]")+`}`), zeros(4)), "w", "data_offsets", []string{"[0,8]", "run past the end of the data buffer (4 bytes)"}},
		{"size mismatch", build(pad8(`{`+f32("roberta.embeddings.word_embeddings.weight", "[10,20]", "[0,100]")+`}`), zeros(100)),
			"roberta.embeddings.word_embeddings.weight", "data_offsets",
			[]string{`checkpoint: model.safetensors: tensor "roberta.embeddings.word_embeddings.weight": data_offsets [0,100] hold 100 bytes, shape [10 20] F32 needs 800`}},
		{"overlap", build(pad8(`{`+f32("a", "[2]", "[0,8]")+`,`+f32("b", "[2]", "[4,12]")+`}`), zeros(12)), "b", "data_offsets", []string{"[4,12]", `overlap tensor "a"`}},
		{"same range twice", build(pad8(`{`+f32("a", "[2]", "[0,8]")+`,`+f32("b", "[2]", "[0,8]")+`}`), zeros(8)), "b", "data_offsets", []string{`overlap tensor "a"`}},
		{"gap", build(pad8(`{`+f32("a", "[2]", "[0,8]")+`,`+f32("b", "[2]", "[12,20]")+`}`), zeros(20)), "b", "data_offsets", []string{"gap of 4 bytes", `tensor "a"`}},
		{"gap at start", build(pad8(`{`+f32("a", "[2]", "[4,12]")+`}`), zeros(12)), "a", "data_offsets", []string{"gap of 4 bytes", "start of the data buffer"}},
		{"bytes after the last tensor", build(pad8(`{`+f32("a", "[2]", "[0,8]")+`}`), zeros(10)), "", "data_offsets", []string{"cover 8 bytes", "holds 10", "2 bytes belong to no tensor"}},
		{"sub-byte dtype, odd count", build(pad8(`{"w":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}}`), zeros(1)), "w", "shape", []string{"whole number of bytes"}},
		{"metadata not strings", build(pad8(`{"__metadata__":{"n":1}}`), nil), "", "__metadata__", []string{"__metadata__", "strings"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("model.safetensors", c.raw)
			if err == nil {
				f.Close()
				t.Fatal("accepted")
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			if fe.File != "model.safetensors" || fe.Tensor != c.tensor || fe.Field != c.field {
				t.Errorf("error names file %q tensor %q field %q, want %q %q %q (%v)", fe.File, fe.Tensor, fe.Field, "model.safetensors", c.tensor, c.field, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "checkpoint: model.safetensors: ") {
				t.Errorf("error %q does not start with the file", msg)
			}
			if c.tensor != "" && !strings.Contains(msg, `tensor "`+c.tensor+`"`) {
				t.Errorf("error %q does not name tensor %q", msg, c.tensor)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			// Open reports the same through a real file.
			if len(c.raw) < 1<<20 {
				p := writeTemp(t, "model.safetensors", c.raw)
				if _, err := Open(p); err == nil || !strings.Contains(err.Error(), p) {
					t.Errorf("Open: %v, want an error naming %s", err, p)
				}
			}
		})
	}
}

// Files the reference implementation accepts that a strict reader might
// not: tensors listed out of offset order, whitespace padding, zero-size
// tensors sharing an offset, a header with no tensors.
func TestAccepts(t *testing.T) {
	for _, c := range []struct {
		name string
		raw  []byte
		n    int
	}{
		{"no tensors", build("{}      ", nil), 0},
		{"out of order", build(pad8(`{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`), zeros8()), 2},
		{"zero-size tensors at one offset", build(pad8(`{"a":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]},"b":{"dtype":"BF16","shape":[0],"data_offsets":[0,0]},"c":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`), zeros8()), 3},
		{"unknown fields in an entry", build(pad8(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":true}}`), zeros8()), 1},
		{"null metadata", build(pad8(`{"__metadata__":null}`), nil), 0},
	} {
		f, err := Parse("x", c.raw)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if f.Len() != c.n {
			t.Errorf("%s: %d tensors, want %d", c.name, f.Len(), c.n)
		}
	}
}

func zeros8() []byte { return make([]byte, 8) }
