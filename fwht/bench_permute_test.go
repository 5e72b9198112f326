package fwht

import (
	"fmt"
	"testing"

	"github.com/idim-go/idim/internal/cpu"
)

// BenchmarkFastfoodPermute: <impl>/L=<L>/<gather|scatter>, the G Pi pass of
// Apply (gather) and the Pi^T G pass of ApplyT (scatter) alone,
// single-threaded: the pass that regenerates G.
func BenchmarkFastfoodPermute(b *testing.B) {
	for _, im := range cpu.Impls() {
		for _, lg := range []int{12, 16, 20} {
			l := 1 << lg
			f, err := NewFastfood(1, "bench", l, l)
			if err != nil {
				b.Fatal(err)
			}
			src, dst := make([]float32, l), make([]float32, l)
			for i := range src {
				src[i] = float32(i%5) - 2
			}
			for _, tr := range []bool{false, true} {
				name := "gather"
				if tr {
					name = "scatter"
				}
				b.Run(fmt.Sprintf("%s/L=%d/%s", im.Name, l, name), func(b *testing.B) {
					defer im.Select()()
					b.SetBytes(int64(4 * l))
					for b.Loop() {
						f.permuteRange(dst, src, 0, l, tr)
					}
				})
			}
		}
	}
}
