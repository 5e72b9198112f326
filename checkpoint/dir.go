package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File names of a Hugging Face model directory.
const (
	ConfigFile       = "config.json"
	WeightsFile      = "model.safetensors"
	WeightsIndexFile = "model.safetensors.index.json"
)

// Source is a set of named tensors: a *File or a *Dir.
type Source interface {
	Names() []string
	Has(name string) bool
	Info(name string) (TensorInfo, bool)
	Bytes(name string) ([]byte, error)
	Tensor(name string) ([]int, []float32, error)
	ReadInto(name string, dst []float32) error
}

var (
	_ Source = (*File)(nil)
	_ Source = (*Dir)(nil)
)

// Dir is an open Hugging Face model directory: the tensors of
// model.safetensors, or of every shard listed in
// model.safetensors.index.json, under one set of names. Like File, its
// methods may run concurrently, but not with Close.
type Dir struct {
	closed    bool
	path      string
	files     []*File
	where     map[string]*File
	names     []string
	indexMeta map[string]any
}

// OpenDir opens the model directory at path. As in transformers, a single
// model.safetensors is preferred over a sharded model.safetensors.index.json.
// With shards, every tensor the index's weight_map names must be in the
// file it names; a tensor in two shards is an error; weight_map entries
// must be plain file names inside the directory. path may also name a
// .safetensors file, which is then the only file.
func OpenDir(path string) (*Dir, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	d := &Dir{path: path, where: map[string]*File{}}
	if !st.IsDir() {
		if err := d.add(path); err != nil {
			return nil, err
		}
		d.finish()
		return d, nil
	}
	single := filepath.Join(path, WeightsFile)
	index := filepath.Join(path, WeightsIndexFile)
	switch {
	case isFile(single):
		err = d.add(single)
	case isFile(index):
		err = d.openShards(index)
	default:
		err = fmt.Errorf("checkpoint: %s has neither %s nor %s%s", path, WeightsFile, WeightsIndexFile, otherWeightsHint(path))
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	d.finish()
	return d, nil
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// otherWeightsHint explains a directory that holds weights in a format
// idim does not read.
func otherWeightsHint(dir string) string {
	for _, name := range []string{"pytorch_model.bin", "pytorch_model.bin.index.json", "tf_model.h5", "flax_model.msgpack"} {
		if isFile(filepath.Join(dir, name)) {
			return fmt.Sprintf(" (it has %s, which idim does not read: convert it to safetensors, e.g. with transformers' save_pretrained(..., safe_serialization=True))", name)
		}
	}
	return ""
}

func (d *Dir) add(path string) error {
	f, err := Open(path)
	if err != nil {
		return err
	}
	d.files = append(d.files, f)
	for _, name := range f.names {
		if other, dup := d.where[name]; dup {
			return fmt.Errorf("checkpoint: %s: tensor %q is in both %s and %s", d.path, name, other.path, f.path)
		}
		d.where[name] = f
	}
	return nil
}

// shardIndex is model.safetensors.index.json.
type shardIndex struct {
	Metadata  map[string]any    `json:"metadata"`
	WeightMap map[string]string `json:"weight_map"`
}

func (d *Dir) openShards(index string) error {
	raw, err := os.ReadFile(index)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var idx shardIndex
	if err := json.Unmarshal(raw, &idx); err != nil {
		return fmt.Errorf("checkpoint: %s: %s", index, describeJSONError(raw, err))
	}
	if idx.WeightMap == nil {
		return fmt.Errorf("checkpoint: %s: weight_map is missing", index)
	}
	d.indexMeta = idx.Metadata
	var shards []string
	for _, file := range idx.WeightMap {
		shards = append(shards, file)
	}
	slices.Sort(shards)
	shards = slices.Compact(shards)
	for _, file := range shards {
		if !filepath.IsLocal(file) || strings.ContainsAny(file, `/\`) {
			return fmt.Errorf("checkpoint: %s: weight_map names file %q, which is not a plain file name in the directory", index, file)
		}
		if err := d.add(filepath.Join(d.path, file)); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(idx.WeightMap))
	for name := range idx.WeightMap {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		file := filepath.Join(d.path, idx.WeightMap[name])
		f, ok := d.where[name]
		if !ok {
			return fmt.Errorf("checkpoint: %s: weight_map puts tensor %q in %s, which does not hold it", index, name, file)
		}
		if f.path != file {
			return fmt.Errorf("checkpoint: %s: weight_map puts tensor %q in %s, but it is in %s", index, name, file, f.path)
		}
	}
	return nil
}

func (d *Dir) finish() {
	d.names = make([]string, 0, len(d.where))
	for name := range d.where {
		d.names = append(d.names, name)
	}
	slices.Sort(d.names)
}

// Path is the directory (or file) OpenDir was given.
func (d *Dir) Path() string { return d.path }

// Files lists the safetensors files the tensors come from.
func (d *Dir) Files() []string {
	out := make([]string, len(d.files))
	for i, f := range d.files {
		out[i] = f.path
	}
	return out
}

// IndexMetadata is the "metadata" object of a sharded directory's index
// (nil for a single file).
func (d *Dir) IndexMetadata() map[string]any { return d.indexMeta }

// Names returns all tensor names, sorted.
func (d *Dir) Names() []string { return slices.Clone(d.names) }

// Len is the number of tensors.
func (d *Dir) Len() int { return len(d.names) }

// Has reports whether a tensor with this name exists.
func (d *Dir) Has(name string) bool { _, ok := d.where[name]; return ok }

func (d *Dir) file(name string) (*File, error) {
	if d.closed {
		return nil, fmt.Errorf("checkpoint: %s: directory is closed", d.path)
	}
	f, ok := d.where[name]
	if !ok {
		return nil, fmt.Errorf("checkpoint: %s: no tensor %q", d.path, name)
	}
	return f, nil
}

// Info describes the named tensor; its File field names the shard.
func (d *Dir) Info(name string) (TensorInfo, bool) {
	f, ok := d.where[name]
	if !ok {
		return TensorInfo{}, false
	}
	return f.Info(name)
}

// Bytes is File.Bytes on the shard that holds the tensor.
func (d *Dir) Bytes(name string) ([]byte, error) {
	f, err := d.file(name)
	if err != nil {
		return nil, err
	}
	return f.Bytes(name)
}

// Tensor is File.Tensor on the shard that holds the tensor: F32 data may
// alias the read-only mapping until Close.
func (d *Dir) Tensor(name string) ([]int, []float32, error) {
	f, err := d.file(name)
	if err != nil {
		return nil, nil, err
	}
	return f.Tensor(name)
}

// ReadInto is File.ReadInto on the shard that holds the tensor.
func (d *Dir) ReadInto(name string, dst []float32) error {
	f, err := d.file(name)
	if err != nil {
		return err
	}
	return f.ReadInto(name, dst)
}

// Config decodes the directory's config.json into v (see ReadConfig). For
// a Dir opened on a single file it reads config.json beside that file.
func (d *Dir) Config(v any) error { return ReadConfig(d.configPath(), v) }

// ConfigMap returns the directory's config.json as a map.
func (d *Dir) ConfigMap() (map[string]any, error) {
	var m map[string]any
	if err := ReadConfig(d.configPath(), &m); err != nil {
		return nil, err
	}
	return m, nil
}

func (d *Dir) configPath() string {
	if isFile(d.path) {
		return filepath.Join(filepath.Dir(d.path), ConfigFile)
	}
	return filepath.Join(d.path, ConfigFile)
}

// Close unmaps every file. Slices that alias them must not be used
// afterwards.
func (d *Dir) Close() error {
	var errs []error
	for _, f := range d.files {
		errs = append(errs, f.Close())
	}
	d.closed = true
	return errors.Join(errs...)
}

// ReadConfig decodes the JSON file at path into v, which is typically a
// pointer to a struct whose json tags spell the fields as Hugging Face
// does. Unknown fields are ignored (HF configs carry many); a syntax or type
// error names the file, the line and the column.
func ReadConfig(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return DecodeConfig(path, raw, v)
}

// DecodeConfig is ReadConfig on bytes already read; name is used in errors.
func DecodeConfig(name string, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("checkpoint: %s: %s", name, describeJSONError(raw, err))
	}
	return nil
}

// describeJSONError adds the line and column to encoding/json's errors.
func describeJSONError(raw []byte, err error) string {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(raw)) {
		return err.Error()
	}
	before := raw[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return fmt.Sprintf("line %d, column %d: %v", line, col, err)
}

// WriteConfig writes v as indented JSON at path, atomically.
func WriteConfig(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	b = append(b, '\n')
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// DirOptions controls WriteDir.
type DirOptions struct {
	// Metadata is each safetensors file's __metadata__. Nil means
	// {"format": "pt"}, which transformers requires to load the file.
	Metadata map[string]string
	// MaxShardBytes, when positive, splits the tensors into shards
	// model-0000i-of-0000n.safetensors of at most this many data bytes
	// (a larger tensor gets a shard of its own) listed in
	// model.safetensors.index.json, when they do not fit one. Zero writes
	// a single model.safetensors.
	MaxShardBytes int64
}

// WriteDir writes a Hugging Face model directory: the weights
// (model.safetensors, or shards and their index) and then config.json, if
// config is not nil. Each file is written atomically. The directory is
// created if needed; a weights file of the other layout left from an
// earlier write is removed, so that OpenDir reads what was just written.
func WriteDir(dir string, config any, tensors []Tensor, opt *DirOptions) error {
	var o DirOptions
	if opt != nil {
		o = *opt
	}
	meta := o.Metadata
	if meta == nil {
		meta = map[string]string{"format": "pt"}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	l, err := plan(tensors, meta)
	if err != nil {
		return fmt.Errorf("checkpoint: writing %s: %w", dir, err)
	}
	single := filepath.Join(dir, WeightsFile)
	index := filepath.Join(dir, WeightsIndexFile)
	if o.MaxShardBytes <= 0 || l.total <= o.MaxShardBytes {
		if err := writeAtomic(single, l.writeTo); err != nil {
			return err
		}
		if err := removeShards(dir, index); err != nil {
			return err
		}
	} else {
		if err := writeShards(dir, l, meta, o.MaxShardBytes); err != nil {
			return err
		}
		if err := os.Remove(single); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checkpoint: %w", err)
		}
	}
	if config != nil {
		return WriteConfig(filepath.Join(dir, ConfigFile), config)
	}
	return nil
}

// writeShards splits the planned tensors, in file order, into shards,
// writes them and their index, then removes shards of an earlier index
// that the new one does not list.
func writeShards(dir string, l *layout, meta map[string]string, max int64) error {
	var groups [][]Tensor
	var cur []Tensor
	var curBytes int64
	for i, t := range l.tensors {
		if len(cur) > 0 && curBytes+l.sizes[i] > max {
			groups = append(groups, cur)
			cur, curBytes = nil, 0
		}
		cur = append(cur, *t)
		curBytes += l.sizes[i]
	}
	if len(cur) > 0 {
		groups = append(groups, cur)
	}
	index := filepath.Join(dir, WeightsIndexFile)
	old := listedShards(index)
	weightMap := map[string]string{}
	keep := map[string]bool{}
	for i, g := range groups {
		name := fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(groups))
		keep[name] = true
		if err := Write(filepath.Join(dir, name), g, meta); err != nil {
			return err
		}
		for _, t := range g {
			weightMap[t.Name] = name
		}
	}
	err := WriteConfig(index, shardIndex{
		Metadata:  map[string]any{"total_size": l.total},
		WeightMap: weightMap,
	})
	if err != nil {
		return err
	}
	for _, file := range old {
		if !keep[file] {
			os.Remove(filepath.Join(dir, file))
		}
	}
	return nil
}

// listedShards returns the shard file names an index lists, if it can be
// read, keeping only plain names inside the directory.
func listedShards(index string) []string {
	raw, err := os.ReadFile(index)
	if err != nil {
		return nil
	}
	var idx shardIndex
	if json.Unmarshal(raw, &idx) != nil {
		return nil
	}
	var out []string
	for _, file := range idx.WeightMap {
		if filepath.IsLocal(file) && !strings.ContainsAny(file, `/\`) {
			out = append(out, file)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// removeShards removes an index file and the shards it lists, if any.
func removeShards(dir, index string) error {
	for _, file := range listedShards(index) {
		if file != WeightsFile {
			os.Remove(filepath.Join(dir, file))
		}
	}
	if err := os.Remove(index); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}
