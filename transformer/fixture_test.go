package transformer

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"testing"
)

// fixtureArray is one named array of testdata/fixture.bin (see make_fixture.py for the format).
type fixtureArray struct {
	Shape []int
	F     []float64 // float32 and float64 arrays, widened
	I     []int     // int32 arrays
}

type fixture struct {
	Info   string
	Arrays map[string]*fixtureArray
}

func readFixture(path string) (*fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	r := bytes.NewReader(data)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != "IDIMFIX1" {
		return nil, fmt.Errorf("%s: bad magic %q", path, magic)
	}
	var version, n uint32
	if err := binary.Read(r, binary.LittleEndian, &version); err != nil || version != 1 {
		return nil, fmt.Errorf("%s: format version %d, want 1", path, version)
	}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	info := make([]byte, n)
	if _, err := io.ReadFull(r, info); err != nil {
		return nil, err
	}
	f := &fixture{Info: string(info), Arrays: map[string]*fixtureArray{}}
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, err
	}
	for i := uint32(0); i < n; i++ {
		var nl uint16
		if err := binary.Read(r, binary.LittleEndian, &nl); err != nil {
			return nil, err
		}
		name := make([]byte, nl)
		if _, err := io.ReadFull(r, name); err != nil {
			return nil, err
		}
		var hdr [2]uint8
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return nil, err
		}
		a := &fixtureArray{}
		count := 1
		for d := 0; d < int(hdr[1]); d++ {
			var v uint32
			if err := binary.Read(r, binary.LittleEndian, &v); err != nil {
				return nil, err
			}
			a.Shape = append(a.Shape, int(v))
			count *= int(v)
		}
		switch hdr[0] {
		case 0:
			v := make([]float32, count)
			if err := binary.Read(r, binary.LittleEndian, v); err != nil {
				return nil, fmt.Errorf("%s: array %s: %w", path, name, err)
			}
			a.F = make([]float64, count)
			for j, x := range v {
				a.F[j] = float64(x)
			}
		case 1:
			a.F = make([]float64, count)
			if err := binary.Read(r, binary.LittleEndian, a.F); err != nil {
				return nil, fmt.Errorf("%s: array %s: %w", path, name, err)
			}
		case 2:
			v := make([]int32, count)
			if err := binary.Read(r, binary.LittleEndian, v); err != nil {
				return nil, fmt.Errorf("%s: array %s: %w", path, name, err)
			}
			a.I = make([]int, count)
			for j, x := range v {
				a.I[j] = int(x)
			}
		default:
			return nil, fmt.Errorf("%s: array %s: unknown dtype %d", path, name, hdr[0])
		}
		f.Arrays[string(name)] = a
	}
	if r.Len() != 0 {
		return nil, fmt.Errorf("%s: %d trailing bytes", path, r.Len())
	}
	return f, nil
}

func loadFixture(t testing.TB) *fixture {
	t.Helper()
	f, err := readFixture("testdata/fixture.bin")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) get(t testing.TB, name string) *fixtureArray {
	t.Helper()
	a, ok := f.Arrays[name]
	if !ok {
		t.Fatalf("fixture has no array %q", name)
	}
	return a
}

// relErr is the norm every parity test uses: max |got - want| / max |want| (NaN-aware: a NaN in
// got gives +Inf).
func relErr(got []float32, want []float64) float64 {
	var maxDiff, maxRef float64
	for i, w := range want {
		g := float64(got[i])
		d := math.Abs(g - w)
		if math.IsNaN(d) {
			return math.Inf(1)
		}
		maxDiff = math.Max(maxDiff, d)
		maxRef = math.Max(maxRef, math.Abs(w))
	}
	if maxRef == 0 {
		return maxDiff
	}
	return maxDiff / maxRef
}

func TestFixtureFormat(t *testing.T) {
	f := loadFixture(t)
	if !bytes.Contains([]byte(f.Info), []byte("torch ")) || !bytes.Contains([]byte(f.Info), []byte("make_fixture.py v1")) {
		t.Errorf("fixture info line lacks versions: %.80q", f.Info)
	}
	ids := f.get(t, "input_ids")
	h := f.get(t, "last_hidden_state")
	if len(ids.Shape) != 2 || len(h.Shape) != 3 || h.Shape[0] != ids.Shape[0] || h.Shape[1] != ids.Shape[1] {
		t.Fatalf("shapes: input_ids %v, last_hidden_state %v", ids.Shape, h.Shape)
	}
	// The float32 torch run agrees with the float64 reference: the fixture is self-consistent.
	h32 := f.get(t, "last_hidden_state.f32")
	g := make([]float32, len(h32.F))
	for i, v := range h32.F {
		g[i] = float32(v)
	}
	if e := relErr(g, h.F); e > 1e-5 || e == 0 {
		t.Errorf("torch float32 vs float64 last_hidden_state: rel err %g", e)
	}
}
