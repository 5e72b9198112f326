package transformer

import "github.com/idim-go/idim/autograd"

// paddedEmbedding is torch.nn.Embedding with padding_idx, as HF's RoBERTa uses for the word and
// position embeddings: rows are gathered by id, and the gradient of the padding row stays zero
// (the row never trains). Without any padding id it is autograd.Embedding.
func paddedEmbedding(table *autograd.Tensor, ids []int32, pad int32) *autograd.Tensor {
	any := false
	for _, id := range ids {
		if id == pad {
			any = true
			break
		}
	}
	if !any || !table.RequiresGrad() || !autograd.GradEnabled() {
		return autograd.Embedding(table, ids)
	}
	keep := make([]float32, len(ids))
	for i, id := range ids {
		if id != pad {
			keep[i] = 1
		}
	}
	return autograd.Apply(&padEmbed{ids: append([]int32(nil), ids...), keep: keep}, table)
}

type padEmbed struct {
	ids  []int32
	keep []float32 // 0 where ids[i] is the padding id
}

func (f *padEmbed) Forward(in []*autograd.Tensor) *autograd.Tensor {
	return autograd.Embedding(in[0], f.ids)
}

func (f *padEmbed) Backward(g *autograd.Tensor, in []*autograd.Tensor, _ *autograd.Tensor, needs []bool) []*autograd.Tensor {
	if !needs[0] {
		return []*autograd.Tensor{nil}
	}
	dev := g.Device()
	table := in[0]
	keep := autograd.MustFromSlice(dev, f.keep, len(f.keep), 1)
	gz := autograd.Empty(dev, g.Shape()...)
	dev.Binary(autograd.OpMul, gz, g, keep)
	dt := autograd.Zeros(dev, table.Shape()...)
	dev.ScatterAdd(dt, gz, f.ids)
	keep.Release()
	gz.Release()
	return []*autograd.Tensor{dt}
}
