package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// f16Value is an independent float64 decoding of binary16 bits, straight
// from the definition: (-1)^s * 2^(e-15) * (1 + m/1024), subnormals
// 2^-14 * m/1024, e == 31 Inf or NaN.
func f16Value(h uint16) float64 {
	s, e, m := h>>15, int(h>>10)&31, float64(h&1023)
	var v float64
	switch e {
	case 0:
		v = math.Ldexp(m/1024, -14)
	case 31:
		if m != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	default:
		v = math.Ldexp(1+m/1024, e-15)
	}
	if s == 1 {
		v = -v
	}
	return v
}

func TestDecodeF16Exhaustive(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		got, want := DecodeF16(h), f16Value(h)
		if math.IsNaN(want) {
			b := math.Float32bits(got)
			if !math.IsNaN(float64(got)) || b>>31 != uint32(h>>15) || (b>>13)&1023 != uint32(h&1023) {
				t.Fatalf("DecodeF16(%#04x) = %#08x, want a NaN with the same sign and payload", h, b)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Fatalf("DecodeF16(%#04x) = %v, want %v", h, got, want)
		}
	}
}

// Bit patterns worked out by hand.
var f16Known = []struct {
	h uint16
	v float64
}{
	{0x0000, 0},
	{0x3c00, 1},
	{0xc000, -2},
	{0x3555, 0.333251953125},     // 0 01101 0101010101
	{0x3bff, 0.99951171875},      // 1 - 2^-11
	{0x7bff, 65504},              // largest finite
	{0x0400, 1.0 / 16384},        // smallest normal 2^-14
	{0x03ff, 1023.0 / (1 << 24)}, // largest subnormal
	{0x0001, 1.0 / (1 << 24)},    // smallest subnormal 2^-24
	{0x8001, -1.0 / (1 << 24)},
	{0x7c00, math.Inf(1)},
	{0xfc00, math.Inf(-1)},
}

func TestF16KnownBits(t *testing.T) {
	for _, c := range f16Known {
		if got := DecodeF16(c.h); float64(got) != c.v {
			t.Errorf("DecodeF16(%#04x) = %v, want %v", c.h, got, c.v)
		}
		if got := EncodeF16(float32(c.v)); got != c.h {
			t.Errorf("EncodeF16(%v) = %#04x, want %#04x", c.v, got, c.h)
		}
	}
	if got := EncodeF16(float32(math.Copysign(0, -1))); got != 0x8000 {
		t.Errorf("EncodeF16(-0) = %#04x, want 0x8000", got)
	}
	for _, c := range []struct {
		f float32
		h uint16
	}{
		{65519.996, 0x7bff}, // just under the halfway point to 2^16
		{65520, 0x7c00},     // halfway, 0x7bff is odd: rounds up to Inf
		{1e6, 0x7c00},
		{-1e30, 0xfc00},
		{float32(math.Ldexp(1, -25)), 0x0000},     // half the smallest subnormal: tie to even 0
		{float32(math.Ldexp(3, -26)), 0x0001},     // 0.75 units
		{float32(math.Ldexp(3, -25)), 0x0002},     // 1.5 units: tie to even 2
		{float32(math.Ldexp(5, -25)), 0x0002},     // 2.5 units: tie to even 2
		{float32(1 + math.Ldexp(1, -11)), 0x3c00}, // tie between 0x3c00 and 0x3c01
		{float32(1 + math.Ldexp(3, -11)), 0x3c02}, // tie between 0x3c01 and 0x3c02
		{float32(math.Ldexp(2047, -25)), 0x0400},  // largest subnormal + half: rounds to the smallest normal
		{float32(math.Ldexp(1, -40)), 0x0000},
	} {
		if got := EncodeF16(c.f); got != c.h {
			t.Errorf("EncodeF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	for _, bits := range []uint32{0x7fc00000, 0x7f800001, 0xffc00000, 0x7f802000} {
		f := math.Float32frombits(bits)
		h := EncodeF16(f)
		if h&0x7c00 != 0x7c00 || h&0x3ff == 0 || h>>15 != uint16(bits>>31) {
			t.Errorf("EncodeF16(NaN %#08x) = %#04x, want a NaN of the same sign", bits, h)
		}
	}
}

// nextUp and nextDown step one float32 away.
func nextUp(f float32) float32   { return math.Nextafter32(f, float32(math.Inf(1))) }
func nextDown(f float32) float32 { return math.Nextafter32(f, float32(math.Inf(-1))) }

// TestEncodeF16Boundaries checks every rounding boundary of binary16: for
// each pair of neighbours a < b, the float32 just under their midpoint
// rounds to a, just over it to b, the midpoint itself to the even one.
// Midpoints of binary16 neighbours need 12 significant bits, so they are
// exact in float32.
func TestEncodeF16Boundaries(t *testing.T) {
	for h := uint16(0); h < 0x7c00; h++ {
		for _, sign := range []uint16{0, 0x8000} {
			a := f16Value(h)
			b := math.Ldexp(1, 16) // the step past 65504 is 65536, which overflows to Inf
			if h+1 < 0x7c00 {
				b = f16Value(h + 1)
			}
			mid := float32((a + b) / 2)
			if float64(mid) != (a+b)/2 {
				t.Fatalf("midpoint of %#04x not exact", h)
			}
			even := h
			if h&1 == 1 {
				even = h + 1
			}
			neg := func(f float32) float32 {
				if sign != 0 {
					return -f
				}
				return f
			}
			for _, c := range []struct {
				f    float32
				want uint16
			}{
				{float32(a), h},
				{nextDown(mid), h},
				{mid, even},
				{nextUp(mid), h + 1},
			} {
				if got := EncodeF16(neg(c.f)); got != c.want|sign {
					t.Fatalf("EncodeF16(%g) = %#04x, want %#04x", neg(c.f), got, c.want|sign)
				}
			}
		}
	}
}

func TestBF16(t *testing.T) {
	for _, c := range []struct {
		h uint16
		v float64
	}{
		{0x3f80, 1},
		{0xc040, -3},
		{0x3e80, 0.25},
		{0x4049, 3.140625},
		{0x7f7f, 3.3895313892515355e38}, // largest finite
		{0x0080, math.Ldexp(1, -126)},   // smallest normal
		{0x0001, math.Ldexp(1, -133)},   // smallest subnormal
		{0x7f80, math.Inf(1)},
		{0xff80, math.Inf(-1)},
	} {
		if got := DecodeBF16(c.h); float64(got) != c.v {
			t.Errorf("DecodeBF16(%#04x) = %v, want %v", c.h, got, c.v)
		}
		if got := EncodeBF16(float32(c.v)); got != c.h {
			t.Errorf("EncodeBF16(%v) = %#04x, want %#04x", c.v, got, c.h)
		}
	}
	if !math.IsNaN(float64(DecodeBF16(0x7fc0))) {
		t.Error("DecodeBF16(0x7fc0) is not NaN")
	}
	for _, bits := range []uint32{0x7fc00000, 0x7f800001, 0xff800001, 0x7fffffff} {
		h := EncodeBF16(math.Float32frombits(bits))
		if h&0x7f80 != 0x7f80 || h&0x7f == 0 || h>>15 != uint16(bits>>31) {
			t.Errorf("EncodeBF16(NaN %#08x) = %#04x, want a NaN of the same sign", bits, h)
		}
	}
	// Every rounding boundary, as for F16: bfloat16 neighbours' midpoints
	// need 9 significant bits.
	for h := uint16(0); h < 0x7f80; h++ {
		a := float64(math.Float32frombits(uint32(h) << 16))
		b := math.Ldexp(1, 128)
		if h+1 < 0x7f80 {
			b = float64(math.Float32frombits(uint32(h+1) << 16))
		}
		mid := float32((a + b) / 2)
		even := h + h&1
		for _, c := range []struct {
			f    float32
			want uint16
		}{{float32(a), h}, {nextDown(mid), h}, {mid, even}, {nextUp(mid), h + 1}} {
			if got := EncodeBF16(c.f); got != c.want {
				t.Fatalf("EncodeBF16(%g) = %#04x, want %#04x", c.f, got, c.want)
			}
			if got := EncodeBF16(-c.f); got != c.want|0x8000 {
				t.Fatalf("EncodeBF16(%g) = %#04x, want %#04x", -c.f, got, c.want|0x8000)
			}
		}
	}
}

// TestDecodeSlices checks the slice converters, single-goroutine and
// parallel sizes, aligned and unaligned sources, against the scalar
// functions.
func TestDecodeSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 2, 3, 7, 64, 1000}
	if !testing.Short() {
		sizes = append(sizes, 2*convertGrain+5)
	}
	for _, dt := range []DType{F32, F16, BF16, F64} {
		es := dt.Bits() / 8
		for _, n := range sizes {
			for off := 0; off < 2; off++ {
				raw := make([]byte, n*es+off)
				for i := range raw {
					raw[i] = byte(rng.Uint32())
				}
				src := raw[off:]
				dst := make([]float32, n+2)
				dst[0], dst[n+1] = 12345, 12345 // guards
				decodeFloat32(dst[1:n+1], src, dt)
				if dst[0] != 12345 || dst[n+1] != 12345 {
					t.Fatalf("%s n=%d: guard overwritten", dt, n)
				}
				for i := 0; i < n; i++ {
					var want float32
					switch dt {
					case F32:
						want = math.Float32frombits(uint32(src[4*i]) | uint32(src[4*i+1])<<8 | uint32(src[4*i+2])<<16 | uint32(src[4*i+3])<<24)
					case F16:
						want = DecodeF16(uint16(src[2*i]) | uint16(src[2*i+1])<<8)
					case BF16:
						want = DecodeBF16(uint16(src[2*i]) | uint16(src[2*i+1])<<8)
					case F64:
						var u uint64
						for k := 7; k >= 0; k-- {
							u = u<<8 | uint64(src[8*i+k])
						}
						want = float32(math.Float64frombits(u))
					}
					if math.Float32bits(dst[1+i]) != math.Float32bits(want) && !(want != want && dst[1+i] != dst[1+i]) {
						t.Fatalf("%s n=%d off=%d: element %d = %v, want %v", dt, n, off, i, dst[1+i], want)
					}
				}
			}
		}
	}
}

func TestDTypeNames(t *testing.T) {
	for d := DType(0); d < numDTypes; d++ {
		got, err := ParseDType(d.String())
		if err != nil || got != d {
			t.Errorf("ParseDType(%q) = %v, %v", d.String(), got, err)
		}
		if d.Bits() <= 0 {
			t.Errorf("%s has %d bits", d, d.Bits())
		}
	}
	if _, err := ParseDType("float32"); err == nil {
		t.Error("ParseDType(float32) succeeded")
	}
}

// TestEncodeSlices checks the slice encoders, single-goroutine and
// parallel sizes, aligned and unaligned destinations with guard bytes,
// against the scalar functions.
func TestEncodeSlices(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 9))
	sizes := []int{0, 1, 2, 3, 7, 64, 1000}
	if !testing.Short() {
		sizes = append(sizes, 2*convertGrain+5)
	}
	for _, dt := range []DType{F32, F16, BF16} {
		es := dt.Bits() / 8
		for _, n := range sizes {
			src := randomValues(rng, n)
			for off := 0; off < 2; off++ {
				raw := make([]byte, n*es+off+1)
				for i := range raw {
					raw[i] = 0xAB
				}
				encodeFloat32(raw[off:off+n*es], src, dt)
				if (off > 0 && raw[0] != 0xAB) || raw[len(raw)-1] != 0xAB {
					t.Fatalf("%s n=%d off=%d: guard overwritten", dt, n, off)
				}
				out := raw[off:]
				for i, f := range src {
					var got, want uint32
					switch dt {
					case F32:
						got = uint32(out[4*i]) | uint32(out[4*i+1])<<8 | uint32(out[4*i+2])<<16 | uint32(out[4*i+3])<<24
						want = math.Float32bits(f)
					case F16:
						got, want = uint32(out[2*i])|uint32(out[2*i+1])<<8, uint32(EncodeF16(f))
					case BF16:
						got, want = uint32(out[2*i])|uint32(out[2*i+1])<<8, uint32(EncodeBF16(f))
					}
					if got != want {
						t.Fatalf("%s n=%d off=%d: element %d = %#x, want %#x", dt, n, off, i, got, want)
					}
				}
			}
		}
	}
}

// TestConvertMatchesTorch compares the encoders with PyTorch's float32 ->
// bfloat16 and float16 conversions (testdata/gen_convert_fixture.py):
// random values, subnormals of both formats, the float16 limit, and exact
// ties.
func TestConvertMatchesTorch(t *testing.T) {
	raw, err := os.ReadFile("testdata/convert_torch.bin")
	if err != nil {
		t.Fatal(err)
	}
	line, rest, ok := bytes.Cut(raw, []byte("\n"))
	var n int
	if !ok || !bytes.HasPrefix(line, []byte("idim checkpoint convert fixture v1 n=")) {
		t.Fatalf("fixture header %q", line)
	}
	if _, err := fmt.Sscanf(string(line), "idim checkpoint convert fixture v1 n=%d", &n); err != nil || len(rest) != 8*n {
		t.Fatalf("fixture: n=%d, %d bytes, %v", n, len(rest), err)
	}
	ties := 0
	for i := 0; i < n; i++ {
		r := rest[8*i:]
		bits := binary.LittleEndian.Uint32(r)
		wantBF, wantH := binary.LittleEndian.Uint16(r[4:]), binary.LittleEndian.Uint16(r[6:])
		f := math.Float32frombits(bits)
		if bits&0xffff == 0x8000 {
			ties++
		}
		if got := EncodeBF16(f); got != wantBF {
			t.Errorf("EncodeBF16(%g = %#08x) = %#04x, torch %#04x", f, bits, got, wantBF)
		}
		if got := EncodeF16(f); got != wantH {
			t.Errorf("EncodeF16(%g = %#08x) = %#04x, torch %#04x", f, bits, got, wantH)
		}
		if got := DecodeF16(wantH); !math.IsInf(float64(got), 0) && math.Abs(float64(got)-float64(f)) > math.Abs(float64(f))*math.Ldexp(1, -11)+math.Ldexp(1, -25) {
			t.Errorf("DecodeF16(%#04x) = %g, far from %g", wantH, got, f)
		}
	}
	if n < 5000 || ties < 100 {
		t.Errorf("fixture has %d values, %d bfloat16 ties", n, ties)
	}
}

func TestDTypeJSON(t *testing.T) {
	type rec struct{ D DType }
	b, err := json.Marshal(rec{BF16})
	if err != nil || string(b) != `{"D":"BF16"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	var r rec
	if err := json.Unmarshal([]byte(`{"D":"F8_E4M3"}`), &r); err != nil || r.D != F8E4M3 {
		t.Errorf("Unmarshal = %v, %v", r.D, err)
	}
	if err := json.Unmarshal([]byte(`{"D":"float"}`), &r); err == nil {
		t.Error("Unmarshal of an unknown dtype succeeded")
	}
	if _, err := json.Marshal(rec{DType(99)}); err == nil {
		t.Error("Marshal of an invalid dtype succeeded")
	}
	if s := DType(99).String(); s != "DType(99)" || DType(99).Bits() != 0 || DType(99).IsFloat() {
		t.Errorf("invalid dtype: %q", s)
	}
}
