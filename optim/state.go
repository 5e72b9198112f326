package optim

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"hash/crc32"
	"math"
	"slices"
	"strings"

	"github.com/idim-go/idim/checkpoint"
)

// State files are safetensors files (readable by any safetensors reader):
// one F32 tensor per state buffer, named "<parameter name>.<buffer>" with
// PyTorch's buffer names (exp_avg, exp_avg_sq, momentum_buffer), and three
// metadata entries:
//
//	"format":            "idim-optim"
//	"idim.optim":        the header, JSON (stateHeader)
//	"idim.optim.crc32c": CRC-32C (Castagnoli) in hex of the header's bytes
//	                     followed by every buffer's little-endian bytes in
//	                     header order (parameters in order, buffers in order)
const (
	stateFormat  = "idim-optim"
	stateVersion = 1

	metaFormat = "format"
	metaHeader = "idim.optim"
	metaCRC    = "idim.optim.crc32c"
)

// stateHeader is the JSON header of a state file.
type stateHeader struct {
	Version  int           `json:"version"`
	Kind     string        `json:"kind"`
	Step     int           `json:"step"`
	LR       float32       `json:"lr"` // the LR of the next step, for reading only
	Hyper    hyper         `json:"hyper"`
	Buffers  []string      `json:"buffers"`
	GroupWDs []float32     `json:"group_weight_decay"`
	Params   []paramHeader `json:"params"`
}

// hyper are the hyperparameters that must match when state is loaded (the
// learning rate and schedule may change between runs).
type hyper struct {
	Beta1     float32 `json:"beta1,omitempty"`
	Beta2     float32 `json:"beta2,omitempty"`
	Eps       float32 `json:"eps,omitempty"`
	Momentum  float32 `json:"momentum,omitempty"`
	Dampening float32 `json:"dampening,omitempty"`
	Nesterov  bool    `json:"nesterov,omitempty"`
}

// diff describes the fields in which the file's hyperparameters f differ
// from h ("" if none).
func (h hyper) diff(f hyper) string {
	var out []string
	add := func(name string, file, here any) {
		if file != here {
			out = append(out, fmt.Sprintf("%s is %v in the file, %v here", name, file, here))
		}
	}
	add("beta1", f.Beta1, h.Beta1)
	add("beta2", f.Beta2, h.Beta2)
	add("eps", f.Eps, h.Eps)
	add("momentum", f.Momentum, h.Momentum)
	add("dampening", f.Dampening, h.Dampening)
	add("nesterov", f.Nesterov, h.Nesterov)
	return strings.Join(out, "; ")
}

type paramHeader struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Group int    `json:"group"`
	Step  int    `json:"step"`
	State bool   `json:"state"` // whether its buffers are in the file
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// save writes the state file.
func (c *core) save(path string, h hyper) error {
	hd := stateHeader{
		Version: stateVersion, Kind: c.kind, Step: c.step, Hyper: h,
		Buffers: slices.Clone(c.bufNames), GroupWDs: slices.Clone(c.groupWD),
	}
	if lr := c.LR(); finite(lr) { // JSON has no NaN; the LR is informational
		hd.LR = lr
	}
	if hd.Buffers == nil {
		hd.Buffers = []string{}
	}
	var tensors []checkpoint.Tensor
	for i := range c.params {
		p := &c.params[i]
		has := p.bufs[0] != nil
		hd.Params = append(hd.Params, paramHeader{Name: p.name, Shape: slices.Clone(p.t.Shape()), Group: p.group, Step: p.step, State: has})
		if !has {
			continue
		}
		for j, s := range c.bufNames {
			tensors = append(tensors, checkpoint.Tensor{Name: p.name + "." + s, Shape: slices.Clone(p.t.Shape()), Data: p.bufs[j].Data()})
		}
	}
	raw, err := json.Marshal(hd)
	if err != nil {
		return fmt.Errorf("optim: saving %s: %w", path, err)
	}
	crc := crc32.New(castagnoli)
	crc.Write(raw)
	var scratch []byte
	for _, t := range tensors {
		scratch = hashFloats(crc, t.Data, scratch)
	}
	meta := map[string]string{
		metaFormat: stateFormat,
		metaHeader: string(raw),
		metaCRC:    fmt.Sprintf("%08x", crc.Sum32()),
	}
	if err := checkpoint.Write(path, tensors, meta); err != nil {
		return fmt.Errorf("optim: saving state: %w", err)
	}
	return nil
}

// hashFloats feeds x's little-endian bytes to h.
func hashFloats(h hash.Hash32, x []float32, scratch []byte) []byte {
	const chunk = 1 << 14
	if cap(scratch) < 4*chunk {
		scratch = make([]byte, 4*chunk)
	}
	for len(x) > 0 {
		n := min(len(x), chunk)
		b := scratch[:4*n]
		for i, v := range x[:n] {
			binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
		}
		h.Write(b)
		x = x[n:]
	}
	return scratch
}

// load reads a state file into c after checking it against c.
func (c *core) load(path string, h hyper) error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("optim: loading %s: %s", path, fmt.Sprintf(format, args...))
	}
	f, err := checkpoint.Open(path)
	if err != nil {
		return fmt.Errorf("optim: loading state: %w", err)
	}
	defer f.Close()
	meta := f.Metadata()
	if got := meta[metaFormat]; got != stateFormat {
		return fail("not an optimizer state file (metadata format is %q, want %q)", got, stateFormat)
	}
	raw, ok := meta[metaHeader]
	if !ok {
		return fail("metadata has no %q header", metaHeader)
	}
	var hd stateHeader
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hd); err != nil {
		return fail("header: %v", err)
	}
	if hd.Version != stateVersion {
		return fail("state format version %d; this build reads version %d", hd.Version, stateVersion)
	}

	// Every tensor the header promises, with its dtype and shape, and no
	// others; then the checksum over the header and the data.
	crc := crc32.New(castagnoli)
	crc.Write([]byte(raw))
	want := map[string]bool{}
	for _, ph := range hd.Params {
		if !ph.State {
			continue
		}
		for _, s := range hd.Buffers {
			name := ph.Name + "." + s
			want[name] = true
			info, ok := f.Info(name)
			if !ok {
				return fail("tensor %q listed in the header is missing", name)
			}
			if info.DType != checkpoint.F32 {
				return fail("tensor %q is %v, want F32", name, info.DType)
			}
			if !slices.Equal(info.Shape, ph.Shape) {
				return fail("tensor %q has shape %v but the header says %v", name, info.Shape, ph.Shape)
			}
			b, err := f.Bytes(name)
			if err != nil {
				return fmt.Errorf("optim: loading state: %w", err)
			}
			crc.Write(b)
		}
	}
	for _, name := range f.Names() {
		if !want[name] {
			return fail("unexpected tensor %q (not in the header)", name)
		}
	}
	if got := fmt.Sprintf("%08x", crc.Sum32()); got != meta[metaCRC] {
		return fail("checksum mismatch: file says %q, contents give %q (the file is corrupt)", meta[metaCRC], got)
	}

	// The file must describe this optimizer.
	if hd.Kind != c.kind {
		return fail("state of a %s optimizer, this one is %s", hd.Kind, c.kind)
	}
	if d := h.diff(hd.Hyper); d != "" {
		return fail("hyperparameters differ: %s", d)
	}
	if !slices.Equal(hd.Buffers, c.bufNames) && !(len(hd.Buffers) == 0 && len(c.bufNames) == 0) {
		return fail("state buffers %q, this optimizer keeps %q", hd.Buffers, c.bufNames)
	}
	if hd.Step < 0 {
		return fail("negative step count %d", hd.Step)
	}
	byName := make(map[string]*paramHeader, len(hd.Params))
	for i := range hd.Params {
		ph := &hd.Params[i]
		if byName[ph.Name] != nil {
			return fail("parameter %q appears twice", ph.Name)
		}
		if ph.Group < 0 || ph.Group >= len(hd.GroupWDs) {
			return fail("parameter %q: group %d out of range (%d groups)", ph.Name, ph.Group, len(hd.GroupWDs))
		}
		if ph.Step < 0 {
			return fail("parameter %q: negative step count %d", ph.Name, ph.Step)
		}
		byName[ph.Name] = ph
	}
	var missing []string
	for i := range c.params {
		p := &c.params[i]
		ph := byName[p.name]
		if ph == nil {
			missing = append(missing, p.name)
			continue
		}
		if !slices.Equal(ph.Shape, p.t.Shape()) {
			return fail("parameter %q has shape %v in the file, %v here", p.name, ph.Shape, p.t.Shape())
		}
		if wd := hd.GroupWDs[ph.Group]; wd != p.wd {
			return fail("parameter %q has weight decay %v in the file, %v here", p.name, wd, p.wd)
		}
	}
	if len(missing) > 0 {
		return fail("%d parameter(s) of this optimizer are not in the file: %s", len(missing), quoteNames(missing))
	}
	if len(hd.Params) != len(c.params) {
		var extra []string
		mine := map[string]bool{}
		for i := range c.params {
			mine[c.params[i].name] = true
		}
		for _, ph := range hd.Params {
			if !mine[ph.Name] {
				extra = append(extra, ph.Name)
			}
		}
		return fail("%d parameter(s) in the file are not in this optimizer: %s", len(extra), quoteNames(extra))
	}

	// Read every buffer (F32 data aliases the file's mapping, no copy)
	// before changing anything.
	data := make([][]float32, len(c.params)*len(c.bufNames))
	for i := range c.params {
		p := &c.params[i]
		if !byName[p.name].State {
			continue
		}
		for j, s := range c.bufNames {
			_, x, err := f.Tensor(p.name + "." + s)
			if err != nil {
				return fmt.Errorf("optim: loading state: %w", err)
			}
			data[i*len(c.bufNames)+j] = x
		}
	}

	// Everything checked: replace the state.
	for i := range c.params {
		p := &c.params[i]
		ph := byName[p.name]
		if !ph.State {
			p.releaseState()
			p.step = ph.Step
			continue
		}
		c.ensureState(p)
		for j := range c.bufNames {
			if err := p.bufs[j].SetData(data[i*len(c.bufNames)+j]); err != nil {
				panic(err) // shapes checked above
			}
		}
		p.step = ph.Step
	}
	c.step = hd.Step
	c.gradScale = 1
	return nil
}

// quoteNames lists up to 10 names.
func quoteNames(names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(names)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", n)
	}
	return b.String()
}
