// Package checkpoint reads and writes model weights in the formats Hugging
// Face users already have: safetensors files and HF model directories
// (config.json plus model.safetensors, or shards listed in
// model.safetensors.index.json).
//
// Reading. [Open] maps a safetensors file into memory (read-only mmap on
// unix, a plain read elsewhere) and validates its header completely before
// anything is returned: the header length, the JSON, every dtype, every
// shape, and that the tensors' byte ranges tile the data buffer exactly, as
// the reference implementation requires. A file that breaks a rule gives an
// error that names the file, the tensor and the field. [OpenDir] does the
// same for a model directory and presents all shards as one set of names.
//
// F32 tensors are returned without copying where possible: the []float32 of
// [File.Tensor] then aliases the read-only mapping. Such a slice is valid
// only until Close and must never be written to (a write faults). F16, BF16
// and F64 tensors are converted into a new slice. [File.ReadInto] always
// copies or converts into a caller's slice, which is what a model's
// trainable parameters want; [Load] does that for a whole set of named
// parameters and reports missing, unexpected and mismatched tensors.
//
// Writing. [Write] writes a safetensors file atomically (temporary file in
// the same directory, fsync, rename, fsync of the directory), storing
// float32 data as F32, BF16 or F16 with round-to-nearest-even. [WriteDir]
// writes an HF model directory, sharded above a size if asked.
//
// [Hash] is a content hash of a checkpoint (names, dtypes, shapes, bytes),
// independent of how the tensors are split into files, so that an adapter
// can record which base model it was trained on.
package checkpoint
