// Package transformer is RoBERTa with the names and semantics of HF transformers' RobertaModel,
// RobertaForSequenceClassification and RobertaForMaskedLM, so that HF checkpoints load by tensor
// name with no conversion step.
//
// Configs come from HF config.json files ([ParseConfig], [LoadConfig]); unknown fields are ignored
// and absent ones take HF's defaults.
//
// The parity fixture under testdata/ (a random tiny RoBERTa in an HF directory, its inputs,
// outputs, losses and gradients) is made by testdata/make_fixture.py with PyTorch; the Go tests
// read it and never need Python.
package transformer
