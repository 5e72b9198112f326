package transformer

import "github.com/idim-go/idim/autograd"

// paddedEmbedding is torch.nn.Embedding with padding_idx, as HF's RoBERTa uses for the word and
// position embeddings: rows are gathered by id, and the gradient of the padding row stays zero
// (the row never trains). It is autograd.EmbeddingPad, whose gradient takes Embedding's paths
// (the row-sparse gradient hook included, for padded batches too).
func paddedEmbedding(table *autograd.Tensor, ids []int32, pad int32) *autograd.Tensor {
	return autograd.EmbeddingPad(table, ids, pad)
}
