package checkpoint

import (
	"encoding/binary"
	"math"
	"sync"
	"unsafe"

	"github.com/idim-go/idim/internal/cpu"
)

// DecodeF16 returns the float32 equal to an IEEE 754 binary16 value, given
// as its bits. Every binary16 value, subnormals included, is exact in
// float32; a NaN stays a NaN with its payload in the top mantissa bits.
func DecodeF16(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	em := uint32(h & 0x7fff)
	switch {
	case em >= 0x7c00: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | (em&0x3ff)<<13)
	case em >= 0x0400: // normal: rebias the exponent from 15 to 127
		return math.Float32frombits(sign | (em<<13 + 112<<23))
	default: // zero or subnormal: em * 2^-24, exact in float32
		f := float32(em) * (1.0 / (1 << 24))
		return math.Float32frombits(sign | math.Float32bits(f))
	}
}

// EncodeF16 rounds f to the nearest binary16 value (ties to even) and
// returns its bits. Values from 65520 up in magnitude become Inf; NaN
// becomes a quiet NaN of the same sign.
func EncodeF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	b &= 0x7fffffff
	switch {
	case b > 0x7f800000: // NaN: keep the top payload bits, set the quiet bit
		return sign | 0x7e00 | uint16(b>>13)&0x3ff
	case b >= 0x477ff000: // |f| >= 65520 (halfway past 65504): Inf
		return sign | 0x7c00
	case b >= 0x38800000: // |f| >= 2^-14: normal binary16
		b -= 112 << 23         // rebias the exponent
		b += 0xfff + (b>>13)&1 // round the 13 dropped bits, ties to even
		return sign | uint16(b>>13)
	default: // subnormal binary16: f / 2^-24 rounded to an integer, ties to even
		x := float64(math.Float32frombits(b)) * (1 << 24) // exact
		return sign | uint16(math.RoundToEven(x))
	}
}

// DecodeBF16 returns the float32 whose top 16 bits are h.
func DecodeBF16(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// EncodeBF16 rounds f to the nearest bfloat16 (ties to even) and returns
// its bits; NaN becomes a quiet NaN of the same sign.
func EncodeBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}

// hostLittleEndian is true where the machine's byte order matches the
// file's, so that tensor bytes can be viewed in place.
var hostLittleEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// float32View returns b viewed as float32s without copying, or false when
// the bytes are not 4-byte aligned or the host is big-endian.
func float32View(b []byte) ([]float32, bool) {
	if !hostLittleEndian || len(b)%4 != 0 {
		return nil, false
	}
	if len(b) == 0 {
		return []float32{}, true
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%4 != 0 {
		return nil, false
	}
	return unsafe.Slice((*float32)(p), len(b)/4), true
}

// uint16View is float32View for 16-bit elements.
func uint16View(b []byte) ([]uint16, bool) {
	if !hostLittleEndian || len(b)%2 != 0 || len(b) == 0 {
		return nil, false
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%2 != 0 {
		return nil, false
	}
	return unsafe.Slice((*uint16)(p), len(b)/2), true
}

// float32Bytes views a float32 slice as its bytes (host order).
func float32Bytes(f []float32) []byte {
	if len(f) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(f))), 4*len(f))
}

// f16Table holds DecodeF16 of every binary16 value (256 KiB, built on
// first use): a lookup beats the branches of DecodeF16 by about 1.5x in
// BenchmarkDecode.
var f16Table = sync.OnceValue(func() *[1 << 16]float32 {
	t := new([1 << 16]float32)
	for i := range t {
		t[i] = DecodeF16(uint16(i))
	}
	return t
})

// convertGrain is the number of elements below which conversion runs on
// one goroutine.
const convertGrain = 1 << 16

// decodeFloat32 converts len(dst) elements of dtype dt, stored little-endian
// in src (len(src) == len(dst)*dt.Bits()/8), into dst. dt must be a float
// dtype. Large tensors are converted on all workers.
func decodeFloat32(dst []float32, src []byte, dt DType) {
	n := len(dst)
	if n < 2*convertGrain {
		decodeRange(dst, src, dt)
		return
	}
	size := dt.Bits() / 8
	cpu.ParallelFor(n, convertGrain, func(lo, hi int) {
		decodeRange(dst[lo:hi], src[lo*size:hi*size], dt)
	})
}

func decodeRange(dst []float32, src []byte, dt DType) {
	switch dt {
	case F32:
		if v, ok := float32View(src); ok {
			copy(dst, v)
			return
		}
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case BF16:
		if v, ok := uint16View(src); ok {
			v = v[:len(dst)]
			for i, h := range v {
				dst[i] = math.Float32frombits(uint32(h) << 16)
			}
			return
		}
		for i := range dst {
			dst[i] = DecodeBF16(binary.LittleEndian.Uint16(src[2*i:]))
		}
	case F16:
		table := f16Table()
		if v, ok := uint16View(src); ok {
			v = v[:len(dst)]
			for i, h := range v {
				dst[i] = table[h]
			}
			return
		}
		for i := range dst {
			dst[i] = table[binary.LittleEndian.Uint16(src[2*i:])]
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
		}
	default:
		panic("checkpoint: decodeFloat32 of " + dt.String())
	}
}

// encodeFloat32 stores src as dtype dt (F32, BF16 or F16), little-endian,
// into dst (len(dst) == len(src)*dt.Bits()/8). Large slices are encoded on
// all workers.
func encodeFloat32(dst []byte, src []float32, dt DType) {
	n := len(src)
	if n < 2*convertGrain {
		encodeRange(dst, src, dt)
		return
	}
	size := dt.Bits() / 8
	cpu.ParallelFor(n, convertGrain, func(lo, hi int) {
		encodeRange(dst[lo*size:hi*size], src[lo:hi], dt)
	})
}

func encodeRange(dst []byte, src []float32, dt DType) {
	switch dt {
	case F32:
		if hostLittleEndian {
			copy(dst, float32Bytes(src))
			return
		}
		for i, f := range src {
			binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(f))
		}
	case BF16:
		if out, ok := uint16View(dst); ok {
			out = out[:len(src)]
			for i, f := range src {
				out[i] = EncodeBF16(f)
			}
			return
		}
		for i, f := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], EncodeBF16(f))
		}
	case F16:
		if out, ok := uint16View(dst); ok {
			out = out[:len(src)]
			for i, f := range src {
				out[i] = EncodeF16(f)
			}
			return
		}
		for i, f := range src {
			binary.LittleEndian.PutUint16(dst[2*i:], EncodeF16(f))
		}
	default:
		panic("checkpoint: encodeFloat32 to " + dt.String())
	}
}
