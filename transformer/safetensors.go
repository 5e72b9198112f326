package transformer

// A minimal safetensors reader and writer (F32, F16, BF16, F64 in; F32 out), used until the
// checkpoint package is committed; the model code reaches it only through loadTensors/saveTensors.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
)

type stTensor struct {
	Shape []int
	Data  []float32
}

type stEntry struct {
	DType   string  `json:"dtype"`
	Shape   []int   `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// readSafetensors reads every tensor of a safetensors file, converted to float32.
func readSafetensors(path string) (map[string]stTensor, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("transformer: %w", err)
	}
	bad := func(tensor, format string, args ...any) error {
		if tensor != "" {
			return fmt.Errorf("transformer: %s: tensor %q: %s", path, tensor, fmt.Sprintf(format, args...))
		}
		return fmt.Errorf("transformer: %s: %s", path, fmt.Sprintf(format, args...))
	}
	if len(data) < 8 {
		return nil, bad("", "file of %d bytes has no header length", len(data))
	}
	hl := binary.LittleEndian.Uint64(data)
	if hl > uint64(len(data)-8) {
		return nil, bad("", "header length %d exceeds the file's %d bytes", hl, len(data)-8)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data[8:8+hl], &raw); err != nil {
		return nil, bad("", "header: %v", err)
	}
	body := data[8+hl:]
	out := map[string]stTensor{}
	for name, r := range raw {
		if name == "__metadata__" {
			continue
		}
		var e stEntry
		if err := json.Unmarshal(r, &e); err != nil {
			return nil, bad(name, "%v", err)
		}
		size := map[string]int64{"F32": 4, "F16": 2, "BF16": 2, "F64": 8}[e.DType]
		if size == 0 {
			return nil, bad(name, "dtype %q is not a float type this reader handles", e.DType)
		}
		n := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, bad(name, "negative dimension in shape %v", e.Shape)
			}
			n *= int64(d)
		}
		if len(e.Offsets) != 2 || e.Offsets[0] < 0 || e.Offsets[1] < e.Offsets[0] || e.Offsets[1] > int64(len(body)) {
			return nil, bad(name, "data_offsets %v outside the %d data bytes", e.Offsets, len(body))
		}
		if e.Offsets[1]-e.Offsets[0] != n*size {
			return nil, bad(name, "data_offsets %v hold %d bytes, shape %v of %s needs %d", e.Offsets,
				e.Offsets[1]-e.Offsets[0], e.Shape, e.DType, n*size)
		}
		b := body[e.Offsets[0]:e.Offsets[1]]
		v := make([]float32, n)
		for i := range v {
			switch e.DType {
			case "F32":
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			case "F64":
				v[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
			case "BF16":
				v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
			case "F16":
				v[i] = halfToFloat(binary.LittleEndian.Uint16(b[2*i:]))
			}
		}
		out[name] = stTensor{Shape: append([]int{}, e.Shape...), Data: v}
	}
	return out, nil
}

func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0:
		f := float32(man) / (1 << 24)
		if sign != 0 {
			return -f
		}
		return f
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | man<<13)
}

// writeSafetensors writes float32 tensors sorted by name, atomically (temp file, fsync, rename).
func writeSafetensors(path string, tensors map[string]stTensor) error {
	names := make([]string, 0, len(tensors))
	for n := range tensors {
		names = append(names, n)
	}
	sort.Strings(names)
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var off int64
	for _, n := range names {
		t := tensors[n]
		sz := int64(4 * len(t.Data))
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[n] = stEntry{DType: "F32", Shape: shape, Offsets: []int64{off, off + sz}}
		off += sz
	}
	h, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.safetensors")
	if err != nil {
		return fmt.Errorf("transformer: %w", err)
	}
	defer os.Remove(tmp.Name())
	buf := make([]byte, 8, 8+len(h))
	binary.LittleEndian.PutUint64(buf, uint64(len(h)))
	buf = append(buf, h...)
	if _, err := tmp.Write(buf); err != nil {
		tmp.Close()
		return fmt.Errorf("transformer: %w", err)
	}
	for _, n := range names {
		d := tensors[n].Data
		b := make([]byte, 4*len(d))
		for i, v := range d {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		if _, err := tmp.Write(b); err != nil {
			tmp.Close()
			return fmt.Errorf("transformer: %w", err)
		}
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("transformer: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("transformer: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("transformer: %w", err)
	}
	return nil
}
