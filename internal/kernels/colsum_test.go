package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// TestColSums checks every implementation bit for bit against the float64
// definition, for 0..40 rows, several row strides and start offsets, widths
// below and at the block size, with the accumulators starting non-zero.
func TestColSums(t *testing.T) {
	cpu.ForEachImpl(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(61, 61))
		for rows := 0; rows <= 40; rows++ {
			for _, ld := range []int{64, 65, 100, 128} {
				for _, w := range []int{1, 17, 63, 64} {
					off := rows % 16
					src := randSlice(rng, off+max(rows, 1)*ld+64, 1)[off:]
					var acc, want [reduceBlock]float64
					for i := range acc {
						acc[i] = rng.NormFloat64()
						want[i] = acc[i]
					}
					colSums(&acc, src, ld, rows, w)
					for j := 0; j < rows; j++ {
						for i := 0; i < w; i++ {
							want[i] += float64(src[j*ld+i])
						}
					}
					for i := range acc {
						if math.Float64bits(acc[i]) != math.Float64bits(want[i]) {
							t.Fatalf("rows=%d ld=%d w=%d: acc[%d] = %v, want %v", rows, ld, w, i, acc[i], want[i])
						}
					}
				}
			}
		}
	})
}

// FuzzColSums compares the fastest implementation with the generic one.
func FuzzColSums(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4}, 3, 70)
	f.Fuzz(func(t *testing.T, data []byte, rows, ld int) {
		if rows < 0 || rows > 50 || ld < 64 || ld > 300 {
			return
		}
		src := make([]float32, max(rows, 1)*ld+64)
		for i := range src {
			if len(data) > 0 {
				src[i] = float32(int8(data[i%len(data)])) / 7
			}
		}
		var a, b [reduceBlock]float64
		colSums(&a, src, ld, rows, reduceBlock)
		colSumsGeneric(&b, src, ld, rows, reduceBlock)
		if a != b {
			t.Fatalf("rows=%d ld=%d: implementations differ", rows, ld)
		}
	})
}
