package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// specials are values whose conversion is easy to get wrong.
var specials = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 0.1, 1.0 / 3, 65504, 65520, 1e6, -1e30,
	float32(math.Inf(1)), float32(math.Inf(-1)),
	float32(math.Ldexp(1, -24)), float32(math.Ldexp(1, -25)), float32(math.Ldexp(3, -26)),
	float32(math.Ldexp(1, -126)), float32(math.Ldexp(1, -149)), math.MaxFloat32,
}

func randomValues(rng *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*3))
	}
	copy(v, specials)
	return v
}

// sameFloat compares bit patterns, treating all NaNs alike.
func sameFloat(a, b float32) bool {
	if a != a || b != b {
		return a != a && b != b
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

func TestWriteRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	vals := randomValues(rng, 300)
	vals = append(vals, float32(math.NaN()))
	tensors := []Tensor{
		{Name: "f32", Shape: []int{301}, Data: vals},
		{Name: "bf16", Shape: []int{301}, DType: BF16, Data: vals},
		{Name: "f16", Shape: []int{301}, DType: F16, Data: vals},
		{Name: "scalar", Shape: []int{}, Data: []float32{-7.25}},
		{Name: "scalar16", Shape: []int{}, DType: BF16, Data: []float32{3}},
		{Name: "zero", Shape: []int{4, 0, 3}, Data: []float32{}},
		{Name: "zero16", Shape: []int{0}, DType: F16},
		{Name: "ids", Shape: []int{3}, DType: I64, Raw: binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, 0), 1), 2)},
		{Name: "mask", Shape: []int{3}, DType: BOOL, Raw: []byte{1, 0, 1}},
	}
	path := filepath.Join(t.TempDir(), "rt.safetensors")
	meta := map[string]string{"format": "pt", "quote\"<&>": "ünïcode\n"}
	if err := Write(path, tensors, meta); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Metadata(); len(got) != 2 || got["quote\"<&>"] != "ünïcode\n" || got["format"] != "pt" {
		t.Errorf("Metadata = %q", got)
	}
	for _, want := range tensors {
		info, ok := f.Info(want.Name)
		if !ok || info.DType != want.DType || !slices.Equal(info.Shape, want.Shape) {
			t.Fatalf("Info(%q) = %+v, want dtype %s shape %v", want.Name, info, want.DType, want.Shape)
		}
		if es := info.DType.Bits() / 8; info.Begin%int64(es) != 0 {
			t.Errorf("%q at offset %d is not aligned to %d", want.Name, info.Begin, es)
		}
		if want.Raw != nil {
			b, _ := f.Bytes(want.Name)
			if !bytes.Equal(b, want.Raw) {
				t.Errorf("Bytes(%q) = %v, want %v", want.Name, b, want.Raw)
			}
			continue
		}
		_, got, err := f.Tensor(want.Name)
		if err != nil || len(got) != len(want.Data) {
			t.Fatalf("Tensor(%q): %d values, %v", want.Name, len(got), err)
		}
		for i, x := range want.Data {
			var w float32
			switch want.DType {
			case F32:
				w = x
			case BF16:
				w = DecodeBF16(EncodeBF16(x))
			case F16:
				w = DecodeF16(EncodeF16(x))
			}
			if !sameFloat(got[i], w) {
				t.Fatalf("%s[%d] = %v, want %v (from %v)", want.Name, i, got[i], w, x)
			}
			// And the rounding error is within half an ulp of the format.
			if want.DType != F32 && !math.IsInf(float64(w), 0) && x == x {
				rel := math.Abs(float64(w)-float64(x)) / math.Abs(float64(x))
				bound := math.Ldexp(1, -8) // bf16: 8 significant bits
				if want.DType == F16 {
					bound = math.Ldexp(1, -11)
				}
				normal := want.DType == BF16 && math.Abs(float64(x)) >= math.Ldexp(1, -126) ||
					want.DType == F16 && math.Abs(float64(x)) >= math.Ldexp(1, -14) && math.Abs(float64(x)) < 65504
				if normal && rel > bound {
					t.Errorf("%s[%d]: %v stored as %v, relative error %g > %g", want.Name, i, x, w, rel, bound)
				}
			}
		}
	}
}

func TestWriteOrderAndPadding(t *testing.T) {
	tensors := []Tensor{
		{Name: "z16", Shape: []int{1}, DType: BF16, Data: []float32{1}},
		{Name: "b", Shape: []int{1}, Data: []float32{1}},
		{Name: "a", Shape: []int{1}, Data: []float32{1}},
		{Name: "u8", Shape: []int{3}, DType: U8, Raw: []byte{1, 2, 3}},
		{Name: "d", Shape: []int{1}, DType: I64, Raw: make([]byte, 8)},
		{Name: "a16", Shape: []int{1}, DType: F16, Data: []float32{1}},
	}
	var buf bytes.Buffer
	if _, err := Encode(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	n := binary.LittleEndian.Uint64(raw)
	if n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	header := string(raw[8 : 8+n])
	if trimmed := strings.TrimRight(header, " "); len(header)-len(trimmed) >= 8 || !json.Valid([]byte(trimmed)) {
		t.Errorf("header %q: want JSON padded with fewer than 8 spaces", header)
	}
	// Larger elements first, then by name.
	var order []string
	for _, name := range []string{"d", "a", "b", "a16", "z16", "u8"} {
		order = append(order, name)
	}
	last := -1
	for _, name := range order {
		i := strings.Index(header, `"`+name+`"`)
		if i < last {
			t.Errorf("header %s: %q out of order (want %v)", header, name, order)
		}
		last = i
	}
	f, err := Parse("x", raw)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range order {
		info, _ := f.Info(name)
		if i > 0 {
			prev, _ := f.Info(order[i-1])
			if info.Begin != prev.End {
				t.Errorf("%q begins at %d, previous ends at %d", name, info.Begin, prev.End)
			}
		}
	}
}

func TestWriteRejectsBadTensors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name    string
		tensors []Tensor
		want    string
	}{
		{"duplicate", []Tensor{{Name: "a", Shape: []int{}, Data: []float32{1}}, {Name: "a", Shape: []int{}, Data: []float32{1}}}, `"a" appears twice`},
		{"data length", []Tensor{{Name: "w", Shape: []int{2, 3}, Data: make([]float32, 5)}}, `tensor "w": shape [2 3] needs 6 values, Data has 5`},
		{"raw length", []Tensor{{Name: "w", Shape: []int{2}, DType: I32, Raw: make([]byte, 7)}}, `tensor "w": shape [2] I32 needs 8 bytes, Raw has 7`},
		{"negative", []Tensor{{Name: "w", Shape: []int{-1}, Data: nil}}, `tensor "w": shape [-1] has a negative dimension`},
		{"float data as int", []Tensor{{Name: "w", Shape: []int{1}, DType: I32, Data: []float32{1}}}, `cannot be stored as I32`},
		{"metadata name", []Tensor{{Name: "__metadata__", Shape: []int{}, Data: []float32{1}}}, "reserved"},
		{"bad dtype", []Tensor{{Name: "w", Shape: []int{}, DType: 200, Raw: nil}}, "invalid dtype"},
	} {
		path := filepath.Join(dir, c.name+".safetensors")
		err := Write(path, c.tensors, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v, want one naming %s and saying %q", c.name, err, path, c.want)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("failed writes left files: %v", left)
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteIsAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	old := []Tensor{{Name: "old", Shape: []int{2}, Data: []float32{1, 2}}}
	if err := Write(path, old, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	if got := dirNames(t, dir); !slices.Equal(got, []string{"model.safetensors"}) {
		t.Fatalf("after a write the directory holds %v", got)
	}

	// A failure after the data is written and synced, before the rename.
	injected := errors.New("injected failure")
	var sawTemp string
	testHookBeforeRename = func(tmp string) error {
		sawTemp = tmp
		if st, err := os.Stat(tmp); err != nil || st.Size() == 0 {
			t.Errorf("temporary file %s: %v", tmp, err)
		}
		return injected
	}
	err := Write(path, []Tensor{{Name: "new", Shape: []int{1000}, Data: make([]float32, 1000)}}, nil)
	testHookBeforeRename = nil
	if !errors.Is(err, injected) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Write with injected failure = %v", err)
	}
	if filepath.Dir(sawTemp) != dir {
		t.Errorf("temporary file %s is not in the target's directory", sawTemp)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed write changed the existing file")
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"model.safetensors"}) {
		t.Errorf("a failed write left %v", got)
	}

	// A writer that fails half-way (here: the directory is gone).
	gone := filepath.Join(dir, "gone", "model.safetensors")
	if err := Write(gone, old, nil); err == nil || !strings.Contains(err.Error(), "gone") {
		t.Errorf("Write into a missing directory = %v", err)
	}

	// A successful overwrite keeps the file's permissions.
	if err := Write(path, []Tensor{{Name: "new", Shape: []int{1}, Data: []float32{5}}}, nil); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode after overwrite = %v, want 0640", st.Mode().Perm())
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.Names(); !slices.Equal(got, []string{"new"}) {
		t.Errorf("after overwrite: %v", got)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"model.safetensors"}) {
		t.Errorf("directory holds %v", got)
	}
}

// errWriter fails after n bytes.
type errWriter struct{ n int }

func (w *errWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestEncodeWriterError(t *testing.T) {
	tensors := []Tensor{{Name: "w", Shape: []int{100000}, DType: BF16, Data: make([]float32, 100000)}}
	for _, n := range []int{0, 7, 100, 5000, 150000} {
		if _, err := Encode(&errWriter{n: n}, tensors, nil); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("Encode into a writer failing after %d bytes = %v", n, err)
		}
	}
}

// Overwriting a file that is open (mapped, with a live view) leaves the
// view on the old contents.
func TestOverwriteOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.safetensors")
	if err := Write(path, []Tensor{{Name: "w", Shape: []int{3}, Data: []float32{1, 2, 3}}}, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, view, err := f.Tensor("w")
	if err != nil {
		t.Fatal(err)
	}
	// Write the view itself back, doubled, to the same path.
	doubled := []float32{2 * view[0], 2 * view[1], 2 * view[2]}
	if err := Write(path, []Tensor{{Name: "w", Shape: []int{3}, Data: doubled}, {Name: "old", Shape: []int{3}, Data: view}}, nil); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(view, []float32{1, 2, 3}) {
		t.Errorf("view of the old file changed to %v", view)
	}
	g, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	_, w, _ := g.Tensor("w")
	_, old, _ := g.Tensor("old")
	if !slices.Equal(w, []float32{2, 4, 6}) || !slices.Equal(old, []float32{1, 2, 3}) {
		t.Errorf("new file holds %v and %v", w, old)
	}
}

func TestDirUseAfterClose(t *testing.T) {
	dir := t.TempDir()
	if err := WriteDir(dir, nil, []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}}, nil); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.Tensor("w"); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Tensor after Close: %v", err)
	}
}
