package subspace

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/hash"
)

func TestPortableLog(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(x float64) {
		got, want := portableLog(x), math.Log(x)
		if d := math.Abs(got - want); d > 2*ulp(want) && d > 1e-300 {
			t.Fatalf("portableLog(%g) = %.17g, math.Log %.17g", x, got, want)
		}
	}
	for _, x := range []float64{1, 2, 0.5, math.Sqrt2 / 2, math.Sqrt2, 1 - 1e-16, 1 + 1e-15, 1e-300, 1e300, math.MaxFloat64, 1 - 1.0/6213} {
		check(x)
	}
	// Subnormal: math.Log on amd64 (assembly) returns -709.09 here.
	if got, want := portableLog(5e-324), -1074*math.Ln2; math.Abs(got-want) > 2*ulp(want) {
		t.Fatalf("portableLog(2^-1074) = %.17g, want %.17g", got, want)
	}
	for range 100000 {
		check(math.Exp(r.Float64()*80 - 40))
		check(1 + (r.Float64()-0.5)*1e-3)
		check(uniform01(r.Uint64()))
	}
}

func ulp(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}

func TestNormalMoments(t *testing.T) {
	const n = 400000
	var s1, s2, s4 float64
	for i := range n {
		z := normalAt(12345, uint64(i))
		s1 += z
		s2 += z * z
		s4 += z * z * z * z
	}
	m, v, k := s1/n, s2/n, s4/n
	if math.Abs(m) > 0.01 || math.Abs(v-1) > 0.01 || math.Abs(k-3) > 0.05 {
		t.Fatalf("N(0,1) draws: mean %g variance %g fourth moment %g", m, v, k)
	}
}

// TestProjectionPinned pins Dense and Sparse projections (and their
// transposes) for one seed and name: the regenerated numbers must be the
// same bits on every platform and Go version (an adapter saved on amd64
// reloads exactly on arm64). The constants are FNV-1a hashes of the
// outputs' bits; run under qemu-aarch64 as well.
func TestProjectionPinned(t *testing.T) {
	pins := map[Kind][2]uint64{
		Dense:  {0x4bb0925621cbe0ee, 0xf9edd0f110cee82c},
		Sparse: {0x2156c6a3a5b6784, 0xd3591aa844d3cc74},
		// The Fastfood kinds: every recorded d90 and saved adapter uses them.
		Fastfood:      {0x1df93f5a3fe941a, 0xac25657fa61fbe91},
		FastfoodSplit: {0x4db2a034a59d445b, 0x4e4b4d6992520943},
		FastfoodBlock: {0xb51aca23760ce229, 0xf5301e577f3bf0d8},
	}
	for kind, want := range pins {
		d, n := 37, 1500
		p, _ := NewProjector(kind, 2026, "encoder.layer.3.output.dense.weight", d, n)
		x := make([]float32, d)
		for j := range x {
			x[j] = float32(j%7) - 2.5
		}
		y := make([]float32, n)
		for i := range y {
			y[i] = float32(i%11)*0.25 - 1
		}
		px, pty := make([]float32, n), make([]float32, d)
		p.Project(px, x, nil)
		p.ProjectT(pty, y, nil)
		got := [2]uint64{fnvBits(px), fnvBits(pty)}
		if got != want {
			t.Errorf("%v: hashes %#x, pinned %#x", kind, got, want)
		}
	}
}

// fnvBits is FNV-1a of v's bits, little-endian.
func fnvBits(v []float32) uint64 {
	b := make([]byte, 0, 4*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return hash.FNV1a(string(b))
}
