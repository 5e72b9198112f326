package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

func BenchmarkUnary(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, op := range []UnaryOp{GELU, Tanh, Exp} {
		for _, n := range []int{4096, 1 << 20} {
			x := randSlice(rng, n, 2)
			y := make([]float32, n)
			b.Run(fmt.Sprintf("%v/n=%d", op, n), func(b *testing.B) {
				b.SetBytes(int64(8 * n))
				for b.Loop() {
					Unary(op, y, x)
				}
			})
		}
	}
}

func BenchmarkSoftmaxRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(2, 2))
	rows, n := 8*12*128, 128
	x := randSlice(rng, rows*n, 2)
	y := make([]float32, rows*n)
	mask := make([]float32, 8*128)
	for i := range mask {
		mask[i] = 1
	}
	b.Run("softmax/1536x128", func(b *testing.B) {
		b.SetBytes(int64(8 * rows * n))
		for b.Loop() {
			Softmax(y, x, rows, n)
		}
	})
	b.Run("masked/8x12x128x128", func(b *testing.B) {
		b.SetBytes(int64(8 * rows * n))
		for b.Loop() {
			MaskedSoftmax(y, x, mask, 8, 12, 128, 128, 0.125)
		}
	})
}

// BenchmarkGELU compares the implementations side by side.
func BenchmarkGELU(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 3))
	n := 4096
	x := randSlice(rng, n, 2)
	y := make([]float32, n)
	dy := randSlice(rng, n, 1)
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/fwd/n=4096", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				GELUForward(y, x)
			}
		})
		b.Run(im.Name+"/bwd/n=4096", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(12 * n))
			for b.Loop() {
				GELUBackward(y, x, dy)
			}
		})
	}
}

// BenchmarkDropout compares the implementations side by side.
func BenchmarkDropout(b *testing.B) {
	rng := rand.New(rand.NewPCG(4, 4))
	n := 4096
	x := randSlice(rng, n, 1)
	y := make([]float32, n)
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/n=4096", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(8 * n))
			for b.Loop() {
				dropoutSpan(y, x, 0.1, 7, 0)
			}
		})
	}
}

// BenchmarkSoftmaxImpl compares the implementations of the masked
// attention softmax (8 x 12 x 128 x 128) side by side.
func BenchmarkSoftmaxImpl(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 5))
	rows, n := 8*12*128, 128
	x := randSlice(rng, rows*n, 2)
	y := make([]float32, rows*n)
	mask := make([]float32, 8*128)
	for i := range mask {
		mask[i] = float32(i % 7 % 2)
	}
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/masked/8x12x128x128", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(8 * rows * n))
			for b.Loop() {
				MaskedSoftmax(y, x, mask, 8, 12, 128, 128, 0.125)
			}
		})
	}
}

func BenchmarkFill(b *testing.B) {
	x := make([]float32, 50265*768)
	for _, v := range []float32{0, 1} {
		b.Run(fmt.Sprintf("v=%v/n=%d", v, len(x)), func(b *testing.B) {
			b.SetBytes(int64(4 * len(x)))
			for b.Loop() {
				Fill(x, v)
			}
		})
	}
}

// BenchmarkReduceCols is the bias gradient of a [1024, 768] output.
func BenchmarkReduceCols(b *testing.B) {
	rng := rand.New(rand.NewPCG(6, 6))
	src := randSlice(rng, 1024*768, 1)
	dst := make([]float32, 768)
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/1024x768", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(4 * len(src)))
			for b.Loop() {
				ReduceSum(dst, src, 1, 1024, 768, 1, 0)
			}
		})
	}
}

func BenchmarkAdam(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	n := 1 << 16
	p, g, m, v := randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1)
	for i := range v {
		v[i] *= v[i]
	}
	prm := AdamParams{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Decoupled: true, Step: 10}
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/n=65536", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(16 * n))
			for b.Loop() {
				Adam(p, g, m, v, prm)
			}
		})
	}
}

func BenchmarkLayerNormRows(b *testing.B) {
	rng := rand.New(rand.NewPCG(8, 8))
	rows, n := 1024, 768
	x, g, be := randSlice(rng, rows*n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1)
	y, mean, rstd := make([]float32, rows*n), make([]float32, rows), make([]float32, rows)
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/1024x768", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(8 * rows * n))
			for b.Loop() {
				LayerNorm(y, mean, rstd, x, g, be, rows, n, 1e-5)
			}
		})
	}
}

func BenchmarkLayerNormBackward(b *testing.B) {
	rng := rand.New(rand.NewPCG(9, 9))
	rows, n := 1024, 768
	x, g, be, dy := randSlice(rng, rows*n, 1), randSlice(rng, n, 1), randSlice(rng, n, 1), randSlice(rng, rows*n, 1)
	y, mean, rstd := make([]float32, rows*n), make([]float32, rows), make([]float32, rows)
	LayerNorm(y, mean, rstd, x, g, be, rows, n, 1e-5)
	dx, dg, db := make([]float32, rows*n), make([]float32, n), make([]float32, n)
	for _, im := range cpu.Impls() {
		b.Run(im.Name+"/1024x768", func(b *testing.B) {
			defer im.Select()()
			b.SetBytes(int64(12 * rows * n))
			for b.Loop() {
				LayerNormBackward(dx, dg, db, dy, x, mean, rstd, g, rows, n)
			}
		})
	}
}
