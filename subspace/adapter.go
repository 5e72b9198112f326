package subspace

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"unsafe"

	"github.com/idim-go/idim/checkpoint"
)

// Adapter files, written into one directory.
const (
	AdapterConfigFile  = "adapter_config.json"
	AdapterWeightsFile = "adapter.safetensors"
	adapterFormat      = "idim-subspace-adapter"
	adapterVersion     = 1
)

// AdapterConfig is adapter_config.json: everything needed to rebuild the
// projection (the seed, not the projection) and to check the base model.
type AdapterConfig struct {
	Format    string       `json:"format"`  // "idim-subspace-adapter"
	Version   int          `json:"version"` // 1
	Method    string       `json:"method"`  // "did" or "said"
	Projector string       `json:"projector"`
	Seed      uint64       `json:"seed"`
	D         int          `json:"d"`        // trainable values, lambdas included
	ProjDim   int          `json:"proj_dim"` // d (DID) or d - m (SAID)
	Tensors   []TensorInfo `json:"tensors"`  // wrapped tensors, in lambda order
	// LambdaInit is how SAID's lambdas started ("one" or "size"; empty,
	// as in adapters written before the field existed, means "one").
	// Informational: the trained lambdas are stored, so loading does not
	// depend on it.
	LambdaInit string `json:"lambda_init,omitempty"`
	// BaseTensorsHash is checkpoint.Hash of the wrapped tensors' theta_0
	// (as F32 tensors under their names): always written and checked.
	BaseTensorsHash string `json:"base_tensors_hash"`
	// BaseCheckpointHash is the caller's checkpoint.Hash of the whole base
	// checkpoint, if it gave one; checked on load when both sides have one.
	BaseCheckpointHash string `json:"base_checkpoint_hash,omitempty"`
	TrainableParams    int    `json:"trainable_params"`
	AllParams          int64  `json:"all_params"`
}

// Adapter is a saved subspace fine-tuning result.
type Adapter struct {
	Config AdapterConfig
	Theta  []float32 // the trainable vector (theta_{d-m} then lambdas for SAID)
}

// BaseHash is checkpoint.Hash of the wrapped tensors' theta_0.
func (s *Subspace) BaseHash() (string, error) {
	if s.baseHash != "" {
		return s.baseHash, nil
	}
	return checkpoint.Hash(s.baseSource())
}

// SaveAdapter writes adapter_config.json and adapter.safetensors (theta,
// and lambda for SAID) into dir, creating it if needed. Each file is
// written atomically. baseCheckpointHash is optional (checkpoint.Hash of
// the base model's checkpoint).
func (s *Subspace) SaveAdapter(dir, baseCheckpointHash string) error {
	h, err := s.BaseHash()
	if err != nil {
		return fmt.Errorf("subspace: hashing the base tensors: %w", err)
	}
	cfg := AdapterConfig{
		Format: adapterFormat, Version: adapterVersion,
		Method: s.cfg.Method.String(), Projector: s.cfg.Kind.String(), Seed: s.cfg.Seed,
		D: s.cfg.D, ProjDim: s.dProj, Tensors: s.Tensors(),
		LambdaInit:      lambdaInitField(s.cfg),
		BaseTensorsHash: h, BaseCheckpointHash: baseCheckpointHash,
		TrainableParams: s.counts.Trainable, AllParams: s.counts.All,
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("subspace: saving adapter: %w", err)
	}
	ts := []checkpoint.Tensor{{Name: "theta", Shape: []int{s.dProj}, Data: s.theta[:s.dProj]}}
	if s.cfg.Method == SAID {
		ts = append(ts, checkpoint.Tensor{Name: "lambda", Shape: []int{len(s.tensors)}, Data: s.theta[s.dProj:]})
	}
	meta := map[string]string{"format": adapterFormat, "method": cfg.Method, "projector": cfg.Projector}
	if err := checkpoint.Write(filepath.Join(dir, AdapterWeightsFile), ts, meta); err != nil {
		return err
	}
	return checkpoint.WriteConfig(filepath.Join(dir, AdapterConfigFile), cfg)
}

// ReadAdapter reads an adapter directory and checks that its two files
// agree.
func ReadAdapter(dir string) (*Adapter, error) {
	cfgPath := filepath.Join(dir, AdapterConfigFile)
	var a Adapter
	if err := checkpoint.ReadConfig(cfgPath, &a.Config); err != nil {
		return nil, err
	}
	c := &a.Config
	bad := func(format string, args ...any) error {
		return fmt.Errorf("subspace: %s: %s", cfgPath, fmt.Sprintf(format, args...))
	}
	if c.Format != adapterFormat {
		return nil, bad("format %q, want %q", c.Format, adapterFormat)
	}
	if c.Version != adapterVersion {
		return nil, bad("version %d, this build reads %d", c.Version, adapterVersion)
	}
	method, err := ParseMethod(c.Method)
	if err != nil {
		return nil, bad("field method: %v", err)
	}
	if c.LambdaInit != "" {
		if _, err := ParseLambdaInit(c.LambdaInit); err != nil {
			return nil, bad("field lambda_init: %v", err)
		}
	}
	if _, err := ParseKind(c.Projector); err != nil {
		return nil, bad("field projector: %v", err)
	}
	m := 0
	if method == SAID {
		m = len(c.Tensors)
	}
	if len(c.Tensors) == 0 || c.ProjDim < 1 || c.D != c.ProjDim+m {
		return nil, bad("d=%d, proj_dim=%d and %d tensors do not fit method %s", c.D, c.ProjDim, len(c.Tensors), c.Method)
	}
	wPath := filepath.Join(dir, AdapterWeightsFile)
	f, err := checkpoint.Open(wPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	read := func(name string, n int) ([]float32, error) {
		info, ok := f.Info(name)
		if !ok {
			return nil, fmt.Errorf("subspace: %s: no tensor %q", wPath, name)
		}
		if info.NumElements() != n || len(info.Shape) != 1 {
			return nil, fmt.Errorf("subspace: %s: tensor %q has shape %v, want [%d] (from %s)", wPath, name, info.Shape, n, AdapterConfigFile)
		}
		out := make([]float32, n)
		return out, f.ReadInto(name, out)
	}
	theta, err := read("theta", c.ProjDim)
	if err != nil {
		return nil, err
	}
	if method == SAID {
		lam, err := read("lambda", m)
		if err != nil {
			return nil, err
		}
		theta = append(theta, lam...)
	}
	a.Theta = theta
	return &a, nil
}

// LoadAdapter reads the adapter in dir and applies it to params: it
// rebuilds the subspace over the adapter's tensors, checks that params
// hold every one of them with the same shape and that their values are the
// base the adapter was trained on (and, when both are non-empty, that
// baseCheckpointHash matches the recorded one), sets Theta and calls
// Apply. On the same base this reproduces the fine-tuned weights
// bit-identically.
func LoadAdapter(dir string, params []Param, baseCheckpointHash string) (*Subspace, error) {
	a, err := ReadAdapter(dir)
	if err != nil {
		return nil, err
	}
	ios := make([]tensorIO, len(params))
	for i, p := range params {
		ios[i] = hostIO{p.Data, p.Grad}
	}
	return a.apply(dir, params, ios, baseCheckpointHash)
}

// apply checks params against the adapter and builds the subspace over
// them, reordered so that the wrapped tensors come first, in the adapter's
// order (which is the order of the lambdas).
func (a *Adapter) apply(dir string, params []Param, ios []tensorIO, baseCheckpointHash string) (*Subspace, error) {
	c := &a.Config
	if c.BaseCheckpointHash != "" && baseCheckpointHash != "" && c.BaseCheckpointHash != baseCheckpointHash {
		return nil, fmt.Errorf("subspace: adapter %s was trained on base checkpoint %s, this one hashes to %s",
			dir, c.BaseCheckpointHash, baseCheckpointHash)
	}
	index := make(map[string]int, len(params))
	for i, p := range params {
		index[p.Name] = i
	}
	ordered := make([]Param, 0, len(params))
	orderedIO := make([]tensorIO, 0, len(params))
	want := make(map[string]bool, len(c.Tensors))
	for _, ti := range c.Tensors {
		i, ok := index[ti.Name]
		if !ok {
			return nil, fmt.Errorf("subspace: adapter %s wraps tensor %q, which the model does not have", dir, ti.Name)
		}
		if !slices.Equal(params[i].Shape, ti.Shape) {
			return nil, fmt.Errorf("subspace: adapter %s: tensor %q has shape %v in the model, %v in the adapter", dir, ti.Name, params[i].Shape, ti.Shape)
		}
		want[ti.Name] = true
		ordered = append(ordered, params[i])
		orderedIO = append(orderedIO, ios[i])
	}
	for i, p := range params {
		if !want[p.Name] {
			ordered = append(ordered, p)
			orderedIO = append(orderedIO, ios[i])
		}
	}
	method, _ := ParseMethod(c.Method)
	kind, _ := ParseKind(c.Projector)
	lambdaInit := LambdaOne
	if c.LambdaInit != "" {
		lambdaInit, _ = ParseLambdaInit(c.LambdaInit)
	}
	cfg := Config{Method: method, Kind: kind, D: c.D, Seed: c.Seed, LambdaInit: lambdaInit, Include: func(name string) bool { return want[name] }}
	s, err := newSubspace(cfg, ordered, orderedIO)
	if err != nil {
		return nil, fmt.Errorf("subspace: adapter %s: %w", dir, err)
	}
	h, err := s.BaseHash()
	if err != nil {
		return nil, err
	}
	if h != c.BaseTensorsHash {
		return nil, fmt.Errorf("subspace: adapter %s: the model's base values of the %d wrapped tensors hash to %s, the adapter was trained on %s (a different base model)",
			dir, len(c.Tensors), h, c.BaseTensorsHash)
	}
	copy(s.theta, a.Theta)
	s.Apply()
	return s, nil
}

// lambdaInitField is AdapterConfig.LambdaInit for cfg: empty for DID.
func lambdaInitField(cfg Config) string {
	if cfg.Method != SAID {
		return ""
	}
	return cfg.LambdaInit.String()
}

// baseSource presents the wrapped tensors' theta_0 as a checkpoint.Source
// of F32 tensors, for checkpoint.Hash.
type baseSource struct {
	names []string
	base  map[string][]float32
	shape map[string][]int
}

func (s *Subspace) baseSource() *baseSource {
	b := &baseSource{base: map[string][]float32{}, shape: map[string][]int{}}
	for _, w := range s.tensors {
		b.names = append(b.names, w.info.Name)
		base := w.base
		if base == nil { // Incremental, at New: the tensor holds theta_0
			base, _ = w.io.hostData()
		}
		b.base[w.info.Name] = base
		b.shape[w.info.Name] = w.info.Shape
	}
	slices.Sort(b.names)
	return b
}

func (b *baseSource) Names() []string      { return slices.Clone(b.names) }
func (b *baseSource) Has(name string) bool { _, ok := b.base[name]; return ok }

func (b *baseSource) Info(name string) (checkpoint.TensorInfo, bool) {
	v, ok := b.base[name]
	if !ok {
		return checkpoint.TensorInfo{}, false
	}
	return checkpoint.TensorInfo{Name: name, DType: checkpoint.F32, Shape: b.shape[name], End: 4 * int64(len(v))}, true
}

var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// Bytes is the little-endian F32 encoding, without a copy on little-endian
// machines.
func (b *baseSource) Bytes(name string) ([]byte, error) {
	v, ok := b.base[name]
	if !ok {
		return nil, fmt.Errorf("subspace: no base tensor %q", name)
	}
	if len(v) == 0 {
		return nil, nil
	}
	if littleEndian {
		return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v)), nil
	}
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out, nil
}

func (b *baseSource) Tensor(name string) ([]int, []float32, error) {
	v, ok := b.base[name]
	if !ok {
		return nil, nil, fmt.Errorf("subspace: no base tensor %q", name)
	}
	return b.shape[name], v, nil
}

func (b *baseSource) ReadInto(name string, dst []float32) error {
	v, ok := b.base[name]
	if !ok || len(dst) != len(v) {
		return fmt.Errorf("subspace: base tensor %q: cannot read %d values", name, len(dst))
	}
	copy(dst, v)
	return nil
}
