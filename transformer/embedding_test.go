package transformer

import (
	"testing"

	"github.com/idim-go/idim/autograd"
)

// paddedEmbedding's gradient is autograd.Embedding's with the padding row zeroed (torch's
// padding_idx); its values are the plain lookup.
func TestPaddedEmbedding(t *testing.T) {
	dev := autograd.CPU()
	const vocab, dim, pad = 5, 3, 1
	vals := make([]float32, vocab*dim)
	for i := range vals {
		vals[i] = float32(i%7) - 2.5
	}
	ids := []int32{0, 1, 3, 1, 1, 4, 3}
	w := make([]float32, len(ids)*dim)
	for i := range w {
		w[i] = float32(i%5) + 0.5
	}
	run := func(padded bool) ([]float32, []float32) {
		table := autograd.NewParameter(dev, "t", vocab, dim)
		if err := table.SetData(vals); err != nil {
			t.Fatal(err)
		}
		var y *autograd.Tensor
		if padded {
			y = paddedEmbedding(table, ids, pad)
		} else {
			y = autograd.Embedding(table, ids)
		}
		out := y.Data()
		autograd.SumAll(autograd.Mul(y, autograd.MustFromSlice(dev, w, len(ids), dim))).Backward()
		return out, table.Grad().Data()
	}
	y0, g0 := run(false)
	y1, g1 := run(true)
	for i := range y0 {
		if y0[i] != y1[i] {
			t.Fatalf("values differ at %d: %v vs %v", i, y1, y0)
		}
	}
	for r := 0; r < vocab; r++ {
		for c := 0; c < dim; c++ {
			want := g0[r*dim+c]
			if r == pad {
				if g0[r*dim+c] == 0 {
					t.Fatalf("test needs a nonzero plain gradient on the padding row")
				}
				want = 0
			}
			if g1[r*dim+c] != want {
				t.Errorf("grad[%d,%d] = %g, want %g", r, c, g1[r*dim+c], want)
			}
		}
	}
}
