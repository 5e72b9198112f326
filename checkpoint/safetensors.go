package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxHeaderBytes is the largest JSON header a safetensors file may declare,
// the limit of the reference implementation.
const MaxHeaderBytes = 100_000_000

// metadataKey is the header entry that holds free-form string metadata.
const metadataKey = "__metadata__"

// FormatError is the error for a file that breaks the safetensors rules. It
// names the file, the tensor (empty for the header as a whole) and the
// header field concerned.
type FormatError struct {
	File   string // path as given to Open, or the name given to Parse
	Tensor string // tensor name; "" when the problem is not one tensor's
	Field  string // "header length", "header", "dtype", "shape", "data_offsets", "__metadata__"
	Msg    string // what is wrong, starting with the field where that reads well
}

func (e *FormatError) Error() string {
	if e.Tensor != "" {
		return fmt.Sprintf("checkpoint: %s: tensor %q: %s", e.File, e.Tensor, e.Msg)
	}
	return fmt.Sprintf("checkpoint: %s: %s", e.File, e.Msg)
}

// TensorInfo describes one stored tensor.
type TensorInfo struct {
	Name  string
	DType DType
	Shape []int  // [] for a scalar
	Begin int64  // data_offsets[0], relative to the start of the data buffer
	End   int64  // data_offsets[1]
	File  string // the file that holds it
}

// NumElements is the product of the shape (1 for a scalar).
func (t TensorInfo) NumElements() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// NumBytes is the size of the tensor's data.
func (t TensorInfo) NumBytes() int64 { return t.End - t.Begin }

// File is an open safetensors file. Its methods may be called from several
// goroutines at once, but not concurrently with Close.
type File struct {
	path    string
	data    []byte // the whole file
	buf     []byte // the data buffer: data[8+N:]
	release func() error
	infos   map[string]*TensorInfo
	names   []string // sorted
	meta    map[string]string
	closed  bool
}

// Open maps (or, where mmap is unavailable, reads) the safetensors file at
// path and validates its header. Close releases the mapping; slices
// returned by Tensor and Bytes that alias it become invalid then.
//
// The file must not be truncated or rewritten in place while it is open
// (Write replaces files by rename, which is safe).
func Open(path string) (*File, error) {
	data, release, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, err := Parse(path, data)
	if err != nil {
		if release != nil {
			release()
		}
		return nil, err
	}
	f.release = release
	return f, nil
}

// Parse validates a safetensors file held in memory; name is used in
// errors. The File aliases data, which must not change while it is used.
func Parse(name string, data []byte) (*File, error) {
	fail := func(tensor, field, format string, args ...any) (*File, error) {
		return nil, &FormatError{File: name, Tensor: tensor, Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) < 8 {
		return fail("", "header length", "file is %d bytes, shorter than the 8-byte header length", len(data))
	}
	n := binary.LittleEndian.Uint64(data)
	if n > MaxHeaderBytes {
		return fail("", "header length", "header length %d is above the limit of %d bytes", n, MaxHeaderBytes)
	}
	if n > uint64(len(data)-8) {
		return fail("", "header length", "header length %d runs past the end of the file (%d bytes after the length)", n, len(data)-8)
	}
	header := data[8 : 8+n]
	f := &File{path: name, data: data, buf: data[8+n:], infos: map[string]*TensorInfo{}}
	if err := f.parseHeader(header); err != nil {
		return nil, err
	}
	if err := f.validateLayout(); err != nil {
		return nil, err
	}
	f.names = make([]string, 0, len(f.infos))
	for name := range f.infos {
		f.names = append(f.names, name)
	}
	slices.Sort(f.names)
	return f, nil
}

// rawEntry is one tensor's header entry before validation; each field is
// decoded on its own so that errors can name it.
type rawEntry struct {
	DType       json.RawMessage `json:"dtype"`
	Shape       json.RawMessage `json:"shape"`
	DataOffsets json.RawMessage `json:"data_offsets"`
}

func (f *File) errorf(tensor, field, format string, args ...any) error {
	return &FormatError{File: f.path, Tensor: tensor, Field: field, Msg: fmt.Sprintf(format, args...)}
}

func (f *File) parseHeader(header []byte) error {
	trimmed := bytes.TrimLeft(header, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return f.errorf("", "header", "header is not a JSON object (it starts with %q)", prefix(header, 16))
	}
	if !utf8.Valid(header) {
		return f.errorf("", "header", "header is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(header))
	jsonErr := func(err error) error {
		return f.errorf("", "header", "header is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); err != nil { // the opening brace
		return jsonErr(err)
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsonErr(err)
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return f.errorf(key, "header", "the header names it twice")
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return jsonErr(err)
		}
		if key == metadataKey {
			if err := json.Unmarshal(raw, &f.meta); err != nil {
				return f.errorf("", metadataKey, "__metadata__ must map strings to strings: %v", cleanJSONError(err))
			}
			continue
		}
		info, err := f.parseEntry(key, raw)
		if err != nil {
			return err
		}
		f.infos[key] = info
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return jsonErr(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return f.errorf("", "header", "header has data after its JSON object")
	}
	return nil
}

func (f *File) parseEntry(name string, raw json.RawMessage) (*TensorInfo, error) {
	var e rawEntry
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, f.errorf(name, "header", "entry is not an object with dtype, shape and data_offsets: %v", cleanJSONError(err))
	}
	info := &TensorInfo{Name: name, File: f.path}
	for _, m := range []struct {
		field string
		raw   json.RawMessage
	}{{"dtype", e.DType}, {"shape", e.Shape}, {"data_offsets", e.DataOffsets}} {
		if m.raw == nil {
			return nil, f.errorf(name, m.field, "%s is missing", m.field)
		}
	}
	var dt string
	if err := json.Unmarshal(e.DType, &dt); err != nil {
		return nil, f.errorf(name, "dtype", "dtype %s is not a string", prefix(e.DType, 32))
	}
	d, err := ParseDType(dt)
	if err != nil {
		return nil, f.errorf(name, "dtype", "dtype %q is not a safetensors dtype", dt)
	}
	info.DType = d

	var shape []json.RawMessage
	if err := json.Unmarshal(e.Shape, &shape); err != nil || shape == nil {
		return nil, f.errorf(name, "shape", "shape %s is not a list of integers", prefix(e.Shape, 32))
	}
	info.Shape = make([]int, len(shape))
	for i, s := range shape {
		v, err := parseCount(s)
		if err != nil {
			return nil, f.errorf(name, "shape", "shape %s: dimension %d: %v", prefix(e.Shape, 64), i, err)
		}
		info.Shape[i] = v
	}

	var offs []json.RawMessage
	if err := json.Unmarshal(e.DataOffsets, &offs); err != nil || len(offs) != 2 {
		return nil, f.errorf(name, "data_offsets", "data_offsets %s is not a pair of integers", prefix(e.DataOffsets, 64))
	}
	var be [2]int64
	for i, s := range offs {
		v, err := parseCount(s)
		if err != nil {
			return nil, f.errorf(name, "data_offsets", "data_offsets %s: %v", prefix(e.DataOffsets, 64), err)
		}
		be[i] = int64(v)
	}
	info.Begin, info.End = be[0], be[1]
	offsets := fmt.Sprintf("[%d,%d]", info.Begin, info.End)
	if info.End < info.Begin {
		return nil, f.errorf(name, "data_offsets", "data_offsets %s end before they begin", offsets)
	}
	if info.End > int64(len(f.buf)) {
		return nil, f.errorf(name, "data_offsets", "data_offsets %s run past the end of the data buffer (%d bytes)", offsets, len(f.buf))
	}
	need, ok := byteSize(info.Shape, d)
	if !ok {
		return nil, f.errorf(name, "shape", "shape %v %s overflows the size of a tensor", info.Shape, d)
	}
	if need < 0 {
		return nil, f.errorf(name, "shape", "shape %v %s is not a whole number of bytes", info.Shape, d)
	}
	if have := info.End - info.Begin; have != need {
		return nil, f.errorf(name, "data_offsets", "data_offsets %s hold %d bytes, shape %v %s needs %d", offsets, have, info.Shape, d, need)
	}
	return info, nil
}

// parseCount parses a non-negative JSON integer that fits an int (and an
// int64).
func parseCount(raw json.RawMessage) (int, error) {
	str := string(raw)
	if strings.HasPrefix(str, "-") {
		return 0, fmt.Errorf("%s is negative", str)
	}
	if str == "" || str[0] < '0' || str[0] > '9' {
		return 0, fmt.Errorf("%s is not a number", str)
	}
	v, err := strconv.ParseInt(str, 10, 64)
	if err != nil || v > math.MaxInt {
		return 0, fmt.Errorf("%s is not an integer in range", str)
	}
	return int(v), nil
}

// byteSize returns the number of bytes of a tensor, false if it overflows
// int64, and -1 if the bits do not fill whole bytes.
func byteSize(shape []int, d DType) (int64, bool) {
	n := uint64(1)
	for _, s := range shape {
		if s == 0 {
			return 0, true
		}
	}
	for _, s := range shape {
		hi, lo := bits.Mul64(n, uint64(s))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		n = lo
	}
	hi, nbits := bits.Mul64(n, uint64(d.Bits()))
	if hi != 0 || nbits > math.MaxInt64 {
		return 0, false
	}
	if nbits%8 != 0 {
		return -1, true
	}
	return int64(nbits / 8), true
}

// validateLayout checks that the tensors' byte ranges tile the data buffer
// exactly: no overlap, no gap, nothing left over. The reference
// implementation requires the same.
func (f *File) validateLayout() error {
	order := make([]*TensorInfo, 0, len(f.infos))
	for _, t := range f.infos {
		order = append(order, t)
	}
	slices.SortFunc(order, func(a, b *TensorInfo) int {
		if a.Begin != b.Begin {
			return cmpInt64(a.Begin, b.Begin)
		}
		if a.End != b.End {
			return cmpInt64(a.End, b.End)
		}
		return strings.Compare(a.Name, b.Name)
	})
	var end int64
	prev := ""
	for _, t := range order {
		switch {
		case t.Begin < end:
			return f.errorf(t.Name, "data_offsets", "data_offsets [%d,%d] overlap tensor %q, which ends at %d", t.Begin, t.End, prev, end)
		case t.Begin > end:
			after := "the start of the data buffer"
			if prev != "" {
				after = fmt.Sprintf("tensor %q", prev)
			}
			return f.errorf(t.Name, "data_offsets", "data_offsets [%d,%d] leave a gap of %d bytes after %s", t.Begin, t.End, t.Begin-end, after)
		}
		end, prev = t.End, t.Name
	}
	if end != int64(len(f.buf)) {
		return f.errorf("", "data_offsets", "data_offsets cover %d bytes but the data buffer holds %d (%d bytes belong to no tensor)", end, len(f.buf), int64(len(f.buf))-end)
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// prefix quotes at most n bytes of b for an error message.
func prefix(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// cleanJSONError drops encoding/json's Go type names where they would only
// confuse a reader of the file.
func cleanJSONError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Sprintf("%s is a JSON %s", where, te.Value)
	}
	return err.Error()
}

// Path returns the path (or name) the file was opened with.
func (f *File) Path() string { return f.path }

// Names returns the tensor names, sorted.
func (f *File) Names() []string { return slices.Clone(f.names) }

// Len is the number of tensors.
func (f *File) Len() int { return len(f.names) }

// Has reports whether the file holds a tensor with this name.
func (f *File) Has(name string) bool { _, ok := f.infos[name]; return ok }

// Info describes the named tensor.
func (f *File) Info(name string) (TensorInfo, bool) {
	t, ok := f.infos[name]
	if !ok {
		return TensorInfo{}, false
	}
	c := *t
	c.Shape = slices.Clone(t.Shape)
	return c, true
}

// Metadata returns a copy of the header's __metadata__ (nil if absent).
func (f *File) Metadata() map[string]string {
	if f.meta == nil {
		return nil
	}
	m := make(map[string]string, len(f.meta))
	for k, v := range f.meta {
		m[k] = v
	}
	return m
}

func (f *File) lookup(name string) (*TensorInfo, error) {
	if f.closed {
		return nil, fmt.Errorf("checkpoint: %s: file is closed", f.path)
	}
	t, ok := f.infos[name]
	if !ok {
		return nil, fmt.Errorf("checkpoint: %s: no tensor %q", f.path, name)
	}
	return t, nil
}

// Bytes returns the named tensor's stored bytes (little-endian, in its
// dtype) without copying. The slice is read-only and valid until Close.
func (f *File) Bytes(name string) ([]byte, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, err
	}
	return f.buf[t.Begin:t.End:t.End], nil
}

// Tensor returns the named tensor's shape and values as float32. An F32
// tensor whose bytes are 4-byte aligned (always so in files that Write and
// the reference implementation produce, opened with Open) is returned
// without copying: the slice aliases the file's read-only mapping, is valid
// until Close, and must not be written to. F16, BF16, F64 and unaligned F32
// tensors are converted into a new slice. Other dtypes are an error.
func (f *File) Tensor(name string) ([]int, []float32, error) {
	t, err := f.lookup(name)
	if err != nil {
		return nil, nil, err
	}
	if err := f.checkFloat(t); err != nil {
		return nil, nil, err
	}
	b := f.buf[t.Begin:t.End:t.End]
	if t.DType == F32 {
		if v, ok := float32View(b); ok {
			return slices.Clone(t.Shape), v, nil
		}
	}
	dst := make([]float32, t.NumElements())
	decodeFloat32(dst, b, t.DType)
	return slices.Clone(t.Shape), dst, nil
}

// ReadInto converts the named tensor to float32 into dst, which must have
// exactly as many elements as the tensor. dst is the caller's to modify.
func (f *File) ReadInto(name string, dst []float32) error {
	t, err := f.lookup(name)
	if err != nil {
		return err
	}
	if err := f.checkFloat(t); err != nil {
		return err
	}
	if n := t.NumElements(); len(dst) != n {
		return fmt.Errorf("checkpoint: %s: tensor %q: shape %v has %d elements, destination has %d", f.path, name, t.Shape, n, len(dst))
	}
	decodeFloat32(dst, f.buf[t.Begin:t.End], t.DType)
	return nil
}

func (f *File) checkFloat(t *TensorInfo) error {
	if !t.DType.IsFloat() {
		return fmt.Errorf("checkpoint: %s: tensor %q: dtype %s does not convert to float32 (F32, F16, BF16 and F64 do); read it with Bytes", f.path, t.Name, t.DType)
	}
	return nil
}

// Close releases the file's mapping. Slices that alias it must not be used
// afterwards. Close is idempotent.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.buf, f.data = nil, nil
	if f.release != nil {
		r := f.release
		f.release = nil
		if err := r(); err != nil {
			return fmt.Errorf("checkpoint: %s: %w", f.path, err)
		}
	}
	return nil
}

// readFileFallback reads the whole file into memory.
func readFileFallback(path string) ([]byte, func() error, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	return data, nil, nil
}
