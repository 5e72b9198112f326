package transformer

import (
	"fmt"

	"math/rand/v2"
	"slices"
	"strings"

	"github.com/idim-go/idim/checkpoint"
	"github.com/idim-go/idim/internal/hash"
)

// Heads selects the task heads a model carries besides the encoder.
type Heads uint8

const (
	// HeadClassifier is RobertaForSequenceClassification's head: classifier.dense,
	// classifier.out_proj on the <s> token.
	HeadClassifier Heads = 1 << iota
	// HeadMLM is RobertaForMaskedLM's head: lm_head.dense, lm_head.layer_norm, lm_head.bias and
	// the decoder tied to the word embeddings.
	HeadMLM
)

// String lists the heads, e.g. "classifier+mlm".
func (h Heads) String() string {
	var s []string
	if h&HeadClassifier != 0 {
		s = append(s, "classifier")
	}
	if h&HeadMLM != 0 {
		s = append(s, "mlm")
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, "+")
}

type initKind uint8

const (
	initNormal initKind = iota // normal(0, initializer_range)
	initZeros
	initOnes
)

// paramSpec is one named parameter: its HF name, shape, and how HF initialises it.
type paramSpec struct {
	Name  string
	Shape []int
	Init  initKind
	Pad   int  // for embeddings with a padding row (HF zeroes it at init): that row, else -1
	Head  bool // part of a task head (absent heads are initialised, absent encoder weights are errors)
}

// paramSpecs lists the parameters of a model with the given heads in HF's order.
func paramSpecs(c *Config, heads Heads) []paramSpec {
	H, I := c.HiddenSize, c.IntermediateSize
	var ps []paramSpec
	add := func(name string, init initKind, head bool, shape ...int) {
		ps = append(ps, paramSpec{Name: name, Shape: shape, Init: init, Pad: -1, Head: head})
	}
	linear := func(prefix string, out, in int, head bool) {
		add(prefix+".weight", initNormal, head, out, in)
		add(prefix+".bias", initZeros, head, out)
	}
	layerNorm := func(prefix string, head bool) {
		add(prefix+".weight", initOnes, head, H)
		add(prefix+".bias", initZeros, head, H)
	}
	add("roberta.embeddings.word_embeddings.weight", initNormal, false, c.VocabSize, H)
	ps[len(ps)-1].Pad = c.PadTokenID
	add("roberta.embeddings.position_embeddings.weight", initNormal, false, c.MaxPositionEmbeddings, H)
	ps[len(ps)-1].Pad = c.PadTokenID
	add("roberta.embeddings.token_type_embeddings.weight", initNormal, false, c.TypeVocabSize, H)
	layerNorm("roberta.embeddings.LayerNorm", false)
	for l := 0; l < c.NumHiddenLayers; l++ {
		p := fmt.Sprintf("roberta.encoder.layer.%d.", l)
		linear(p+"attention.self.query", H, H, false)
		linear(p+"attention.self.key", H, H, false)
		linear(p+"attention.self.value", H, H, false)
		linear(p+"attention.output.dense", H, H, false)
		layerNorm(p+"attention.output.LayerNorm", false)
		linear(p+"intermediate.dense", I, H, false)
		linear(p+"output.dense", H, I, false)
		layerNorm(p+"output.LayerNorm", false)
	}
	if heads&HeadClassifier != 0 {
		linear("classifier.dense", H, H, true)
		linear("classifier.out_proj", c.NumLabels, H, true)
	}
	if heads&HeadMLM != 0 {
		linear("lm_head.dense", H, H, true)
		layerNorm("lm_head.layer_norm", true)
		add("lm_head.bias", initZeros, true, c.VocabSize)
	}
	return ps
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// initParam fills data as HF's _init_weights does, from a generator seeded by (seed, name) so that
// a parameter's values do not depend on which other parameters exist.
func initParam(p *paramSpec, data []float32, std float64, seed uint64) {
	switch p.Init {
	case initZeros:
		clear(data)
	case initOnes:
		for i := range data {
			data[i] = 1
		}
	case initNormal:
		r := rand.New(rand.NewPCG(seed, hash.FNV1a(p.Name)))
		for i := range data {
			data[i] = float32(r.NormFloat64() * std)
		}
		if p.Pad >= 0 {
			row := p.Shape[len(p.Shape)-1]
			clear(data[p.Pad*row : (p.Pad+1)*row])
		}
	}
}

// canonicalName maps the names other savers use onto HF's RobertaFor* names: checkpoints of a bare
// RobertaModel have no "roberta." prefix, and old TF-converted ones call LayerNorm's parameters
// gamma and beta.
func canonicalName(name string) string {
	if strings.HasSuffix(name, ".gamma") {
		name = strings.TrimSuffix(name, ".gamma") + ".weight"
	} else if strings.HasSuffix(name, ".beta") {
		name = strings.TrimSuffix(name, ".beta") + ".bias"
	}
	if strings.HasPrefix(name, "embeddings.") || strings.HasPrefix(name, "encoder.") || strings.HasPrefix(name, "pooler.") {
		name = "roberta." + name
	}
	return name
}

// LoadReport says what Load did beyond copying tensors.
type LoadReport struct {
	Initialized []string // parameters absent from the checkpoint, initialised randomly (task heads)
	Unused      []string // checkpoint tensors the model has no use for (e.g. roberta.pooler.*)
}

// String is a one-line summary, e.g. "initialised 4 (classifier.dense.bias, ...); unused 2 (...)".
func (r LoadReport) String() string {
	list := func(s []string) string {
		if len(s) > 4 {
			return strings.Join(s[:4], ", ") + ", ..."
		}
		return strings.Join(s, ", ")
	}
	return fmt.Sprintf("initialised %d (%s); unused %d (%s)", len(r.Initialized), list(r.Initialized),
		len(r.Unused), list(r.Unused))
}

// assignWeights fills one []float32 per spec from the checkpoint's tensors (by canonical name),
// initialising absent head parameters; absent encoder parameters and shape mismatches are errors
// naming the tensor and both shapes.
func assignWeights(c *Config, specs []paramSpec, data [][]float32, src weightSource, seed uint64) (LoadReport, error) {
	var rep LoadReport
	file := src.Path()
	canon := map[string]string{}
	for _, n := range src.Names() {
		cn := canonicalName(n)
		if prev, ok := canon[cn]; ok {
			return rep, fmt.Errorf("transformer: %s: tensors %q and %q are the same parameter %q", file, prev, n, cn)
		}
		canon[cn] = n
	}
	used := map[string]bool{}
	for i := range specs {
		p := &specs[i]
		name, ok := canon[p.Name]
		if !ok && p.Name == "lm_head.bias" {
			// lm_head.decoder.bias is tied to lm_head.bias in HF.
			name, ok = canon["lm_head.decoder.bias"]
		}
		if !ok {
			if !p.Head {
				return rep, fmt.Errorf("transformer: %s: missing tensor %q (shape %v)", file, p.Name, p.Shape)
			}
			initParam(p, data[i], c.InitializerRange, seed)
			rep.Initialized = append(rep.Initialized, p.Name)
			continue
		}
		shape, _ := src.Shape(name)
		if !slices.Equal(shape, p.Shape) {
			return rep, fmt.Errorf("transformer: %s: tensor %q has shape %v, the config wants %v", file, name, shape, p.Shape)
		}
		if err := src.ReadInto(name, data[i]); err != nil {
			return rep, fmt.Errorf("transformer: %w", err)
		}
		used[name] = true
	}
	// The tied decoder: accept lm_head.decoder.weight when it matches the word embeddings' shape
	// (HF's loader lets the word embeddings win; so does this one).
	for cn, n := range canon {
		if used[n] {
			continue
		}
		if cn == "lm_head.decoder.weight" {
			if want, shape := []int{c.VocabSize, c.HiddenSize}, shapeOf(src, n); !slices.Equal(shape, want) {
				return rep, fmt.Errorf("transformer: %s: tensor %q has shape %v, the tied word embeddings have %v", file, n, shape, want)
			}
			if hasHead(specs, "lm_head.") {
				continue
			}
		}
		if cn == "lm_head.decoder.bias" && hasHead(specs, "lm_head.") {
			continue
		}
		rep.Unused = append(rep.Unused, n)
	}
	slices.Sort(rep.Unused)
	return rep, nil
}

func hasHead(specs []paramSpec, prefix string) bool {
	for _, p := range specs {
		if strings.HasPrefix(p.Name, prefix) {
			return true
		}
	}
	return false
}

// headsIn returns the heads whose parameters appear in a checkpoint or whose architecture the
// config names; with neither it returns both heads.
func headsIn(c *Config, src weightSource) Heads {
	var h Heads
	for _, n := range src.Names() {
		cn := canonicalName(n)
		if strings.HasPrefix(cn, "classifier.") {
			h |= HeadClassifier
		}
		if strings.HasPrefix(cn, "lm_head.") {
			h |= HeadMLM
		}
	}
	for _, a := range c.Architectures {
		if strings.HasSuffix(a, "ForSequenceClassification") {
			h |= HeadClassifier
		}
		if strings.HasSuffix(a, "ForMaskedLM") {
			h |= HeadMLM
		}
	}
	if h == 0 {
		h = HeadClassifier | HeadMLM
	}
	return h
}

// weightSource is a set of named float tensors: a checkpoint directory, or a map in tests.
type weightSource interface {
	Path() string
	Names() []string
	Shape(name string) ([]int, bool)
	ReadInto(name string, dst []float32) error
}

func shapeOf(src weightSource, name string) []int {
	s, _ := src.Shape(name)
	return s
}

// dirSource reads an HF model directory through the checkpoint package.
type dirSource struct{ d *checkpoint.Dir }

func (s dirSource) Path() string                              { return s.d.Path() }
func (s dirSource) Names() []string                           { return s.d.Names() }
func (s dirSource) ReadInto(name string, dst []float32) error { return s.d.ReadInto(name, dst) }
func (s dirSource) Shape(name string) ([]int, bool) {
	info, ok := s.d.Info(name)
	return info.Shape, ok
}
