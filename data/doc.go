// Package data holds idim's tasks and everything between text files and
// model inputs: the shipped tasks ("sentiment", "paraphrase"; see
// data/README.md for their sources, licences and splits), loaders for the
// user's GLUE, JSONL and CSV files, seeded stratified splits, metrics
// (accuracy, F1, MCC, Pearson, Spearman) and majority baselines, padded
// batches with resumable seeded shuffling, and for pre-training the MLM
// masker, block packing and held-out documents. The pre-training text itself
// is in package data/corpus.
//
// Loaders return errors that name the file and line, and a LoadReport that
// counts what they skipped; the package never prints. Everything random is
// a pure function of a seed and counters (epoch, step, row), so splits,
// batch orders and masks are the same on every machine and after a resume.
//
// The package does not import the tokenizer: EncodeExamples takes an
// Encoder (wrap the tokenizer in an EncoderFunc) and EncodeDocuments a
// TextEncoder, which *tokenizer.Tokenizer satisfies.
package data
