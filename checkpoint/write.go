package checkpoint

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Tensor is one tensor to write.
type Tensor struct {
	Name  string
	Shape []int // [] for a scalar
	// DType is how the tensor is stored in the file. Data converts to F32
	// (the zero value), BF16 or F16, rounding to nearest even.
	DType DType
	// Data holds the values, len(Data) == product of Shape.
	Data []float32
	// Raw, used when Data is nil, holds the stored bytes already in DType
	// (little-endian), for dtypes that do not come from float32.
	Raw []byte
}

// layout is a validated, ordered plan of a file.
type layout struct {
	tensors []*Tensor
	sizes   []int64
	header  []byte // JSON with padding, without the 8-byte length
	total   int64  // bytes of data
}

// plan validates tensors and builds the header. Tensors are ordered as the
// reference implementation orders them: larger elements first (so every
// tensor is aligned to its element size), then by name.
func plan(tensors []Tensor, metadata map[string]string) (*layout, error) {
	l := &layout{}
	seen := make(map[string]bool, len(tensors))
	for i := range tensors {
		t := &tensors[i]
		if seen[t.Name] {
			return nil, fmt.Errorf("tensor %q appears twice", t.Name)
		}
		if t.Name == metadataKey {
			return nil, fmt.Errorf("%q is reserved for metadata and cannot name a tensor", t.Name)
		}
		seen[t.Name] = true
		if t.DType >= numDTypes {
			return nil, fmt.Errorf("tensor %q: invalid dtype %d", t.Name, uint8(t.DType))
		}
		for _, d := range t.Shape {
			if d < 0 {
				return nil, fmt.Errorf("tensor %q: shape %v has a negative dimension", t.Name, t.Shape)
			}
		}
		size, ok := byteSize(t.Shape, t.DType)
		if !ok || size < 0 {
			return nil, fmt.Errorf("tensor %q: shape %v %s is not a whole number of bytes that fits an int64", t.Name, t.Shape, t.DType)
		}
		if t.Data != nil {
			if t.DType != F32 && t.DType != BF16 && t.DType != F16 {
				return nil, fmt.Errorf("tensor %q: float32 data cannot be stored as %s (F32, BF16 and F16 can)", t.Name, t.DType)
			}
			if n := int64(len(t.Data)) * int64(t.DType.Bits()/8); n != size {
				return nil, fmt.Errorf("tensor %q: shape %v needs %d values, Data has %d", t.Name, t.Shape, size/int64(t.DType.Bits()/8), len(t.Data))
			}
		} else if int64(len(t.Raw)) != size {
			return nil, fmt.Errorf("tensor %q: shape %v %s needs %d bytes, Raw has %d", t.Name, t.Shape, t.DType, size, len(t.Raw))
		}
		l.tensors = append(l.tensors, t)
	}
	slices.SortFunc(l.tensors, func(a, b *Tensor) int {
		if c := cmp.Compare(b.DType.Bits(), a.DType.Bits()); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})

	var h bytes.Buffer
	h.WriteByte('{')
	first := true
	sep := func() {
		if !first {
			h.WriteByte(',')
		}
		first = false
	}
	if metadata != nil {
		sep()
		writeJSONString(&h, metadataKey)
		h.WriteString(":{")
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				h.WriteByte(',')
			}
			writeJSONString(&h, k)
			h.WriteByte(':')
			writeJSONString(&h, metadata[k])
		}
		h.WriteByte('}')
	}
	l.sizes = make([]int64, len(l.tensors))
	for i, t := range l.tensors {
		size, _ := byteSize(t.Shape, t.DType)
		l.sizes[i] = size
		sep()
		writeJSONString(&h, t.Name)
		h.WriteString(`:{"dtype":"`)
		h.WriteString(t.DType.String())
		h.WriteString(`","shape":[`)
		for j, d := range t.Shape {
			if j > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		h.WriteString(`],"data_offsets":[`)
		h.WriteString(strconv.FormatInt(l.total, 10))
		h.WriteByte(',')
		l.total += size
		h.WriteString(strconv.FormatInt(l.total, 10))
		h.WriteString("]}")
	}
	h.WriteByte('}')
	// Pad with spaces so that the data starts 8-byte aligned.
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	l.header = h.Bytes()
	return l, nil
}

// writeJSONString writes s as a JSON string, without encoding/json's HTML
// escaping.
func writeJSONString(b *bytes.Buffer, s string) {
	e := json.NewEncoder(b)
	e.SetEscapeHTML(false)
	e.Encode(s) // a string always encodes
	b.Truncate(b.Len() - 1)
}

func (l *layout) writeTo(w io.Writer) error {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(l.header)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(l.header); err != nil {
		return err
	}
	var scratch []byte
	for _, t := range l.tensors {
		if t.Data == nil {
			if _, err := w.Write(t.Raw); err != nil {
				return err
			}
			continue
		}
		if t.DType == F32 && hostLittleEndian {
			if _, err := w.Write(float32Bytes(t.Data)); err != nil {
				return err
			}
			continue
		}
		const chunk = 1 << 20 // elements encoded (in parallel) per write
		es := t.DType.Bits() / 8
		if scratch == nil {
			scratch = make([]byte, chunk*4)
		}
		for lo := 0; lo < len(t.Data); lo += chunk {
			hi := min(lo+chunk, len(t.Data))
			b := scratch[:(hi-lo)*es]
			encodeFloat32(b, t.Data[lo:hi], t.DType)
			if _, err := w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

// Encode writes tensors and metadata to w in the safetensors format and
// returns the number of bytes written. See Write for the layout.
func Encode(w io.Writer, tensors []Tensor, metadata map[string]string) (int64, error) {
	l, err := plan(tensors, metadata)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: encode: %w", err)
	}
	cw := &countWriter{w: w}
	err = l.writeTo(cw)
	return cw.n, err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Write writes a safetensors file at path, atomically: the file appears
// complete or not at all, and a file already at path stays intact if the
// write fails. Tensors are stored in the order the reference
// implementation uses (larger dtypes first, then by name) after a header
// padded with spaces to a multiple of 8 bytes, so every tensor is aligned.
// metadata becomes the header's __metadata__ (absent when nil); Hugging Face
// transformers expects {"format": "pt"} there.
//
// Writing over the path of an open File is safe: the rename leaves the
// open mapping (and slices viewing it) on the old contents.
func Write(path string, tensors []Tensor, metadata map[string]string) error {
	l, err := plan(tensors, metadata)
	if err != nil {
		return fmt.Errorf("checkpoint: writing %s: %w", path, err)
	}
	return writeAtomic(path, l.writeTo)
}

// testHookBeforeRename, when set by a test, runs after the temporary file
// is written and synced and may fail the write.
var testHookBeforeRename func(tmp string) error

// writeAtomic writes a file through fill: a temporary file in the same
// directory, fsync, rename over path, fsync of the directory. On failure
// the temporary file is removed and path is untouched.
func writeAtomic(path string, fill func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return fmt.Errorf("checkpoint: %s exists and is not a regular file", path)
		}
		perm = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	tmpName := tmp.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				tmp.Close()
			}
			os.Remove(tmpName)
			err = fmt.Errorf("checkpoint: writing %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = fill(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if testHookBeforeRename != nil {
		if err = testHookBeforeRename(tmpName); err != nil {
			return err
		}
	}
	closed = true
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmpName, path); err != nil {
		return err
	}
	return syncDir(dir)
}
