// Package transformer is RoBERTa with the names and semantics of HF transformers' RobertaModel,
// RobertaForSequenceClassification and RobertaForMaskedLM, so that HF checkpoints load by tensor
// name with no conversion step.
//
//	m, report, err := transformer.Load("roberta-base")            // config.json + model.safetensors
//	m, err := transformer.New(cfg, seed, transformer.WithHeads(transformer.HeadClassifier))
//	h, err := m.Encode(transformer.Batch{B: b, T: t, InputIDs: ids, Attention: mask})
//	logits, err := m.ClassifierLogits(h)                           // [B, num_labels]
//	first, err := m.EncodeFirst(batch)                             // h[:, 0:1, :], cheaper
//	loss, err := transformer.ClassificationLoss(logits, labels)
//	mlm, err := m.MLMLoss(h, mlmLabels)                            // -100 = ignored
//	loss.Backward()                                                // grads on m.Parameters()
//	err = m.Save(dir)                                              // an HF directory again
//
// The model:
//   - embeddings: word + position + token type, LayerNorm, dropout. Position ids are
//     cumsum(id != pad) * (id != pad) + pad (PositionIDs): real tokens count from pad+1 and
//     padding tokens get pad. The padding rows of the word and position embeddings get no
//     gradient (torch.nn.Embedding's padding_idx).
//   - post-LN encoder layers: self-attention fused into one op (strided per-head GEMMs and the
//     masked softmax; padding keys excluded, which equals HF's additive finfo.min mask), output
//     dense + residual + LayerNorm, intermediate dense + exact-erf GELU, output dense + residual +
//     LayerNorm, with dropout where HF has it.
//   - heads (Heads): the classification head on the <s> token (dense, tanh, out_proj, with
//     dropout) and the MLM head (dense, GELU, layer_norm, decoder tied to the word embeddings plus
//     lm_head.bias; MLMLoss scores only the labelled positions).
//
// A model starts in eval mode; SetTrain(true) turns dropout on, with masks drawn from SetSeed's
// seed (the same seed gives the same masks on every device and thread count). Wrap inference in
// autograd.NoGrad so that nothing is recorded.
//
// Configs come from HF config.json files ([ParseConfig], [LoadConfig]); unknown fields are
// ignored and absent ones take HF's defaults. Load maps the names other savers use (no "roberta."
// prefix, LayerNorm gamma/beta) onto HF's, accepts lm_head.decoder.weight/bias (tied) when
// present, initialises absent head parameters as HF does (normal(0, initializer_range), zero
// biases) and reports them, and reports checkpoint tensors it does not use (e.g. the pooler).
//
// The parity fixture under testdata/ (a random tiny RoBERTa in an HF directory, its inputs,
// outputs, losses and gradients, float64 references) is made by testdata/make_fixture.py with
// PyTorch; the Go tests read it and never need Python.
package transformer
