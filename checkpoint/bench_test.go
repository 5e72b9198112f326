package checkpoint

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// benchParams is the size of the benchmark model: 24 tensors of 2^20
// float32, 96 MiB as F32.
const (
	benchTensors = 24
	benchElems   = 1 << 20
)

func benchModel(dt DType) []Tensor {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := make([]float32, benchElems)
	for i := range vals {
		vals[i] = float32(rng.NormFloat64())
	}
	ts := make([]Tensor, benchTensors)
	for i := range ts {
		ts[i] = Tensor{Name: fmt.Sprintf("layer.%02d.weight", i), Shape: []int{1024, benchElems / 1024}, DType: dt, Data: vals}
	}
	return ts
}

// BenchmarkLoad opens a 96 MiB-of-float32 checkpoint and reads every
// tensor. Bytes per op are the float32 bytes delivered, so MB/s compare
// across storage types.
//
//	f32/view:     Open + Tensor (zero-copy view of the mapping) + one read per 4 KiB page + Close
//	f32/copy:     Open + ReadInto a caller's buffer + Close
//	bf16/convert: Open + ReadInto (BF16 -> float32) + Close
//	f16/convert:  Open + ReadInto (F16 -> float32) + Close
func BenchmarkLoad(b *testing.B) {
	dir := b.TempDir()
	paths := map[DType]string{}
	for _, dt := range []DType{F32, BF16, F16} {
		p := filepath.Join(dir, dt.String()+".safetensors")
		if err := Write(p, benchModel(dt), nil); err != nil {
			b.Fatal(err)
		}
		paths[dt] = p
	}
	dst := make([][]float32, benchTensors)
	for i := range dst {
		dst[i] = make([]float32, benchElems)
	}
	total := int64(benchTensors * benchElems * 4)
	var sink float32
	b.Run("f32/view", func(b *testing.B) {
		b.SetBytes(total)
		for b.Loop() {
			f, err := Open(paths[F32])
			if err != nil {
				b.Fatal(err)
			}
			for _, n := range f.Names() {
				_, v, err := f.Tensor(n)
				if err != nil {
					b.Fatal(err)
				}
				for i := 0; i < len(v); i += 1024 {
					sink += v[i]
				}
			}
			f.Close()
		}
	})
	for _, c := range []struct {
		name string
		dt   DType
	}{{"f32/copy", F32}, {"bf16/convert", BF16}, {"f16/convert", F16}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(total)
			for b.Loop() {
				f, err := Open(paths[c.dt])
				if err != nil {
					b.Fatal(err)
				}
				for i, n := range f.Names() {
					if err := f.ReadInto(n, dst[i]); err != nil {
						b.Fatal(err)
					}
				}
				f.Close()
			}
		})
	}
	b.Run("hash/f32", func(b *testing.B) {
		b.SetBytes(total)
		f, err := Open(paths[F32])
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		for b.Loop() {
			if _, err := Hash(f); err != nil {
				b.Fatal(err)
			}
		}
	})
	_ = sink
}

// BenchmarkWrite writes the same model as F32 and as BF16 (atomic: temp
// file, fsync, rename). Bytes per op are the float32 bytes written from.
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	for _, dt := range []DType{F32, BF16} {
		ts := benchModel(dt)
		b.Run(dt.String(), func(b *testing.B) {
			b.SetBytes(int64(benchTensors * benchElems * 4))
			for b.Loop() {
				if err := Write(filepath.Join(dir, "w.safetensors"), ts, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecode is the conversion loop alone, in memory (one 1 Mi
// element tensor, one goroutine), against a plain copy.
func BenchmarkDecode(b *testing.B) {
	const n = 1 << 20
	dst := make([]float32, n)
	for _, dt := range []DType{F32, BF16, F16} {
		src := make([]byte, n*dt.Bits()/8)
		encodeFloat32(src, benchModel(F32)[0].Data, dt)
		b.Run(dt.String(), func(b *testing.B) {
			b.SetBytes(n * 4)
			for b.Loop() {
				decodeRange(dst, src, dt)
			}
		})
	}
}

// BenchmarkEncode is the float32 -> stored bytes loop alone, in memory.
func BenchmarkEncode(b *testing.B) {
	const n = 1 << 20
	src := benchModel(F32)[0].Data
	for _, dt := range []DType{F32, BF16, F16} {
		dst := make([]byte, n*dt.Bits()/8)
		b.Run(dt.String(), func(b *testing.B) {
			b.SetBytes(n * 4)
			for b.Loop() {
				encodeFloat32(dst, src, dt)
			}
		})
	}
}
