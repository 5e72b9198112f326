package transformer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/checkpoint"
)

// Model is a RoBERTa encoder with optional task heads. Its parameters are autograd parameters
// named as in HF's RobertaForSequenceClassification / RobertaForMaskedLM state dicts, so a
// checkpoint loads name by name and any set of them can be trained (or wrapped by a projection).
//
// A model is in eval mode (dropout off) until SetTrain(true). Gradients flow whenever recording is
// on; wrap inference in autograd.NoGrad. Like autograd's graph building, a model is used from one
// goroutine at a time (the kernels run in parallel internally).
type Model struct {
	Config Config
	Heads  Heads

	dev    autograd.Device
	params []*autograd.Tensor
	byName map[string]*autograd.Tensor

	word, pos, typ *autograd.Tensor
	embLN          [2]*autograd.Tensor
	layers         []layer
	cls            struct{ denseW, denseB, outW, outB *autograd.Tensor }
	lm             struct{ denseW, denseB, lnW, lnB, bias *autograd.Tensor }

	train    bool
	fullLast bool // Classify runs the last layer on every token
	seed     uint64
	dropouts uint64 // dropout calls so far: each gets its own seed
}

type layer struct {
	q, k, v, ao [2]*autograd.Tensor // weight, bias
	aoLN        [2]*autograd.Tensor
	inter, out  [2]*autograd.Tensor
	outLN       [2]*autograd.Tensor
}

// Option adjusts New and Load.
type Option func(*options)

type options struct {
	dev      autograd.Device
	heads    Heads
	seed     uint64
	fullLast bool
}

// WithDevice places the parameters on dev (default: autograd.Open(""), i.e. $IDIM_DEVICE or cpu).
func WithDevice(dev autograd.Device) Option { return func(o *options) { o.dev = dev } }

// WithHeads chooses the task heads. The default for New is both heads; for Load it is the heads
// the checkpoint holds, or the ones its architectures name, or both.
func WithHeads(h Heads) Option { return func(o *options) { o.heads = h } }

// WithSeed sets the seed of Load's random initialisation of absent heads and of dropout
// (default 0). New takes its seed as an argument.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// WithFullLastLayer(true) makes Classify run the last encoder layer on every token, as HF's
// RobertaForSequenceClassification does, instead of on the <s> rows alone (the default). Both
// give the same logits, loss and gradients; the full layer costs about 7% more work on a
// 12-layer model. See Model.SetFullLastLayer.
func WithFullLastLayer(on bool) Option { return func(o *options) { o.fullLast = on } }

func resolve(opts []Option) (options, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.dev == nil {
		d, err := autograd.Open("")
		if err != nil {
			return o, fmt.Errorf("transformer: %w", err)
		}
		o.dev = d
	}
	return o, nil
}

// New builds a model with HF's random initialisation (normal(0, initializer_range) weights and
// embeddings with zero padding rows, zero biases, LayerNorm weights 1), reproducible from seed.
func New(cfg Config, seed uint64, opts ...Option) (*Model, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	if o.heads == 0 {
		o.heads = HeadClassifier | HeadMLM
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	specs := paramSpecs(&cfg, o.heads)
	params, data := newParams(o.dev, specs)
	for i := range specs {
		initParam(&specs[i], data[i], cfg.InitializerRange, seed)
	}
	if err := upload(params, data); err != nil {
		return nil, err
	}
	m := build(cfg, o.heads, o.dev, seed, params)
	m.fullLast = o.fullLast
	return m, nil
}

// newParams makes the parameters of specs and returns, for each, the slice to fill: the
// parameter's own storage when it lives in host memory (no copy), else a new slice that upload
// sends to the device.
func newParams(dev autograd.Device, specs []paramSpec) ([]*autograd.Tensor, [][]float32) {
	params := make([]*autograd.Tensor, len(specs))
	data := make([][]float32, len(specs))
	for i, p := range specs {
		params[i] = autograd.NewParameter(dev, p.Name, p.Shape...)
		if h, ok := params[i].Host(); ok {
			data[i] = h
		} else {
			data[i] = make([]float32, numel(p.Shape))
		}
	}
	return params, data
}

func upload(params []*autograd.Tensor, data [][]float32) error {
	for i, t := range params {
		if h, ok := t.Host(); ok && len(h) > 0 && &h[0] == &data[i][0] {
			continue
		}
		if err := t.SetData(data[i]); err != nil {
			return fmt.Errorf("transformer: %s: %w", t.Name(), err)
		}
	}
	return nil
}

// Load reads an HF model directory (config.json and model.safetensors, or shards listed in
// model.safetensors.index.json; F32, F16, BF16 or F64) or a .safetensors file with config.json
// beside it. Head parameters absent from the checkpoint are initialised as HF
// does (seeded by WithSeed) and listed in the report with the checkpoint tensors left unused;
// absent encoder tensors and shape mismatches are errors naming the tensor and both shapes.
func Load(path string, opts ...Option) (*Model, LoadReport, error) {
	o, err := resolve(opts)
	if err != nil {
		return nil, LoadReport{}, err
	}
	d, err := checkpoint.OpenDir(path)
	if err != nil {
		return nil, LoadReport{}, fmt.Errorf("transformer: %w", err)
	}
	defer d.Close()
	dir := path
	if strings.HasSuffix(path, ".safetensors") {
		dir = filepath.Dir(path)
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, LoadReport{}, err
	}
	src := dirSource{d}
	if o.heads == 0 {
		o.heads = headsIn(&cfg, src)
	}
	specs := paramSpecs(&cfg, o.heads)
	params, data := newParams(o.dev, specs)
	rep, err := assignWeights(&cfg, specs, data, src, o.seed)
	if err == nil {
		err = upload(params, data)
	}
	if err != nil {
		for _, p := range params {
			p.Release()
		}
		return nil, rep, err
	}
	m := build(cfg, o.heads, o.dev, o.seed, params)
	m.fullLast = o.fullLast
	return m, rep, nil
}

func build(cfg Config, heads Heads, dev autograd.Device, seed uint64, params []*autograd.Tensor) *Model {
	m := &Model{Config: cfg, Heads: heads, dev: dev, seed: seed, byName: map[string]*autograd.Tensor{}, params: params}
	for _, t := range params {
		m.byName[t.Name()] = t
	}
	g := func(name string) *autograd.Tensor { return m.byName[name] }
	pair := func(prefix string) [2]*autograd.Tensor {
		return [2]*autograd.Tensor{g(prefix + ".weight"), g(prefix + ".bias")}
	}
	m.word = g("roberta.embeddings.word_embeddings.weight")
	m.pos = g("roberta.embeddings.position_embeddings.weight")
	m.typ = g("roberta.embeddings.token_type_embeddings.weight")
	m.embLN = pair("roberta.embeddings.LayerNorm")
	for l := 0; l < cfg.NumHiddenLayers; l++ {
		p := fmt.Sprintf("roberta.encoder.layer.%d.", l)
		m.layers = append(m.layers, layer{
			q: pair(p + "attention.self.query"), k: pair(p + "attention.self.key"), v: pair(p + "attention.self.value"),
			ao: pair(p + "attention.output.dense"), aoLN: pair(p + "attention.output.LayerNorm"),
			inter: pair(p + "intermediate.dense"), out: pair(p + "output.dense"), outLN: pair(p + "output.LayerNorm"),
		})
	}
	if heads&HeadClassifier != 0 {
		m.cls.denseW, m.cls.denseB = g("classifier.dense.weight"), g("classifier.dense.bias")
		m.cls.outW, m.cls.outB = g("classifier.out_proj.weight"), g("classifier.out_proj.bias")
	}
	if heads&HeadMLM != 0 {
		m.lm.denseW, m.lm.denseB = g("lm_head.dense.weight"), g("lm_head.dense.bias")
		m.lm.lnW, m.lm.lnB = g("lm_head.layer_norm.weight"), g("lm_head.layer_norm.bias")
		m.lm.bias = g("lm_head.bias")
	}
	return m
}

// Save writes an HF model directory atomically file by file: model.safetensors (float32, HF
// names; the tied decoder is not duplicated, as HF saves it) and config.json (architectures from
// the heads).
func (m *Model) Save(dir string) error {
	cfg := m.Config
	cfg.Architectures = nil
	if m.Heads&HeadMLM != 0 {
		cfg.Architectures = append(cfg.Architectures, "RobertaForMaskedLM")
	}
	if m.Heads&HeadClassifier != 0 {
		cfg.Architectures = append(cfg.Architectures, "RobertaForSequenceClassification")
	}
	if len(cfg.Architectures) == 0 {
		cfg.Architectures = []string{"RobertaModel"}
	}
	b, err := cfg.Marshal()
	if err != nil {
		return fmt.Errorf("transformer: %w", err)
	}
	tensors := make([]checkpoint.Tensor, len(m.params))
	for i, p := range m.params {
		tensors[i] = checkpoint.Tensor{Name: p.Name(), Shape: append([]int{}, p.Shape()...), Data: p.Data()}
	}
	if err := checkpoint.WriteDir(dir, json.RawMessage(b), tensors, nil); err != nil {
		return fmt.Errorf("transformer: %w", err)
	}
	return nil
}

// Device is the device that holds the parameters.
func (m *Model) Device() autograd.Device { return m.dev }

// Parameters returns every parameter in HF's order (embeddings, layers, classifier, lm_head).
func (m *Model) Parameters() []*autograd.Tensor { return append([]*autograd.Tensor(nil), m.params...) }

// Parameter returns the parameter with the HF name, or nil.
func (m *Model) Parameter(name string) *autograd.Tensor { return m.byName[name] }

// NumParams is the number of parameter values (the tied decoder counted once).
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.params {
		n += p.Len()
	}
	return n
}

// SetTrain switches dropout on (train) or off (eval, the initial mode).
func (m *Model) SetTrain(on bool) { m.train = on }

// Training reports whether dropout is on.
func (m *Model) Training() bool { return m.train }

// SetFullLastLayer chooses whether Classify runs the last encoder layer on every token (on) or
// on the <s> rows only (off, the default; see WithFullLastLayer).
func (m *Model) SetFullLastLayer(on bool) { m.fullLast = on }

// FullLastLayer reports whether Classify runs the last encoder layer on every token.
func (m *Model) FullLastLayer() bool { return m.fullLast }

// SetSeed restarts the dropout seed sequence.
func (m *Model) SetSeed(seed uint64) { m.seed, m.dropouts = seed, 0 }

func (m *Model) dropout(x *autograd.Tensor, p float64) *autograd.Tensor {
	if !m.train || p == 0 {
		return x
	}
	return autograd.Dropout(x, float32(p), m.nextSeed())
}

// nextSeed is the seed of the next dropout mask.
func (m *Model) nextSeed() uint64 {
	m.dropouts++
	return m.seed*0x9E3779B97F4A7C15 + m.dropouts*0xD1B54A32D192ED03
}

// Batch is a padded batch of token sequences, row-major [B, T].
type Batch struct {
	B, T      int
	InputIDs  []int32 // B*T token ids
	Attention []int32 // B*T, 1 for real tokens and 0 for padding; nil means all 1
	TokenType []int32 // B*T token type ids; nil means all 0
}

func (b *Batch) check(c *Config) error {
	n := b.B * b.T
	if b.B <= 0 || b.T <= 0 {
		return fmt.Errorf("transformer: batch shape %d x %d", b.B, b.T)
	}
	if len(b.InputIDs) != n {
		return fmt.Errorf("transformer: batch %d x %d has %d input ids", b.B, b.T, len(b.InputIDs))
	}
	if b.Attention != nil && len(b.Attention) != n {
		return fmt.Errorf("transformer: batch %d x %d has an attention mask of %d values", b.B, b.T, len(b.Attention))
	}
	if b.TokenType != nil && len(b.TokenType) != n {
		return fmt.Errorf("transformer: batch %d x %d has %d token type ids", b.B, b.T, len(b.TokenType))
	}
	for i, id := range b.InputIDs {
		if id < 0 || int(id) >= c.VocabSize {
			return fmt.Errorf("transformer: input id %d at row %d position %d is outside the vocabulary [0, %d)", id, i/b.T, i%b.T, c.VocabSize)
		}
	}
	for i, id := range b.TokenType {
		if id < 0 || int(id) >= c.TypeVocabSize {
			return fmt.Errorf("transformer: token type %d at row %d position %d is outside [0, %d)", id, i/b.T, i%b.T, c.TypeVocabSize)
		}
	}
	if b.T > c.MaxSeqLen() {
		return fmt.Errorf("transformer: sequence length %d exceeds the model's %d (max_position_embeddings %d, pad_token_id %d)",
			b.T, c.MaxSeqLen(), c.MaxPositionEmbeddings, c.PadTokenID)
	}
	return nil
}

// PositionIDs returns HF's RoBERTa position ids: for each row, cumsum(id != pad) * (id != pad) +
// pad, so real tokens count from pad+1 and padding tokens get pad.
func PositionIDs(ids []int32, T int, pad int32) []int32 {
	pos := make([]int32, len(ids))
	for r := 0; r+T <= len(ids); r += T {
		var c int32
		for t := 0; t < T; t++ {
			if ids[r+t] != pad {
				c++
				pos[r+t] = c + pad
			} else {
				pos[r+t] = pad
			}
		}
	}
	return pos
}

// Encode runs the embeddings and the encoder and returns the last hidden state [B, T, hidden].
// Invalid input (ids out of range, wrong lengths, sequences too long) is an error.
func (m *Model) Encode(b Batch) (*autograd.Tensor, error) {
	if err := b.check(&m.Config); err != nil {
		return nil, err
	}
	var h *autograd.Tensor
	err := autograd.Catch(func() { h = m.encode(b, false) })
	return h, err
}

// EncodeFirst returns the last hidden state of the first token (<s>) of every sequence only, as
// [B, 1, hidden]: the same values as Encode's h[:, 0:1, :], which is all ClassifierLogits reads.
// The last layer then runs its query, attention output and feed-forward on that one row per
// sequence (keys and values still cover every token), which saves about 7% of the work of a
// 12-layer model for classification. Dropout masks differ from Encode's in train mode.
func (m *Model) EncodeFirst(b Batch) (*autograd.Tensor, error) {
	if err := b.check(&m.Config); err != nil {
		return nil, err
	}
	var h *autograd.Tensor
	err := autograd.Catch(func() { h = m.encode(b, true) })
	return h, err
}

func (m *Model) encode(b Batch, firstOnly bool) *autograd.Tensor {
	c := &m.Config
	H, n := c.HiddenSize, b.B*b.T
	pad := int32(c.PadTokenID)
	x := paddedEmbedding(m.word, b.InputIDs, pad)
	posEmb := paddedEmbedding(m.pos, PositionIDs(b.InputIDs, b.T, pad), pad)
	// LayerNorm(word + type + position) in one pass: the type embedding is the bias (the
	// broadcast row 0 without token type ids) and the position embedding the residual.
	var typ *autograd.Tensor
	if b.TokenType != nil {
		x = autograd.Add(x, autograd.Embedding(m.typ, b.TokenType))
	} else {
		typ = autograd.Reshape(autograd.Slice(m.typ, 0, 0, 1), H)
	}
	x = autograd.ResidualLayerNorm(x, typ, posEmb, m.embLN[0], m.embLN[1], 0, 0, float32(c.LayerNormEps))
	x = m.dropout(x, c.HiddenDropoutProb)

	var mask *autograd.Tensor
	if b.Attention != nil {
		all := true
		f := make([]float32, n)
		for i, v := range b.Attention {
			if v != 0 {
				f[i] = 1
			} else {
				all = false
			}
		}
		if !all {
			mask = autograd.MustFromSlice(m.dev, f, b.B, b.T)
		}
	}
	last := len(m.layers) - 1
	for l := range m.layers {
		first := firstOnly && l == last
		x = m.layerForward(&m.layers[l], x, mask, b.B, b.T, first)
	}
	if firstOnly {
		return autograd.Reshape(x, b.B, 1, H)
	}
	return autograd.Reshape(x, b.B, b.T, H)
}

// layerForward is one post-LN encoder layer on x [B*T, H]. With firstOnly the queries, and so
// the result, are the first row of every sequence alone ([B, H]).
func (m *Model) layerForward(L *layer, x, mask *autograd.Tensor, B, T int, firstOnly bool) *autograd.Tensor {
	c := &m.Config
	eps := float32(c.LayerNormEps)
	xq, Tq := x, T
	if firstOnly {
		rows := make([]int32, B)
		for i := range rows {
			rows[i] = int32(i * T)
		}
		xq, Tq = autograd.Embedding(x, rows), 1
	}
	q := autograd.Linear(xq, L.q[0], L.q[1])
	k := autograd.Linear(x, L.k[0], L.k[1])
	v := autograd.Linear(x, L.v[0], L.v[1])
	ctx := m.attention(q, k, v, mask, B, T, Tq)
	// LayerNorm(dropout(dense(ctx)) + xq): the dense layer's bias, the dropout, the residual
	// and the layer norm in one pass over the product (ResidualLayerNorm).
	p, seed := m.dropoutArgs(c.HiddenDropoutProb)
	a := autograd.ResidualLayerNorm(autograd.Linear(ctx, L.ao[0], nil), L.ao[1], xq, L.aoLN[0], L.aoLN[1], p, seed, eps)
	f := autograd.LinearGELU(a, L.inter[0], L.inter[1])
	p, seed = m.dropoutArgs(c.HiddenDropoutProb)
	return autograd.ResidualLayerNorm(autograd.Linear(f, L.out[0], nil), L.out[1], a, L.outLN[0], L.outLN[1], p, seed, eps)
}

// dropoutArgs is the probability and seed of the next dropout of probability p: (0, 0), and no
// seed drawn, in eval mode or when p is 0.
func (m *Model) dropoutArgs(p float64) (float32, uint64) {
	if !m.train || p == 0 {
		return 0, 0
	}
	return float32(p), m.nextSeed()
}

// Classify returns the sequence-classification logits [B, num_labels] of a batch, as HF's
// RobertaForSequenceClassification computes them: the encoder, then the classification head on
// the <s> token. The head reads nothing but the last layer's <s> rows, so by default the last
// layer computes only those (EncodeFirst): the logits, a loss on them and every gradient are
// the same as with the full layer (Encode), for about 7% less work on a 12-layer model. In
// train mode the dropout masks of the last layer differ from the full layer's (both are
// dropout with the configured probability). SetFullLastLayer(true) or WithFullLastLayer(true)
// runs the full last layer instead.
func (m *Model) Classify(b Batch) (*autograd.Tensor, error) {
	if m.Heads&HeadClassifier == 0 {
		return nil, fmt.Errorf("transformer: the model has no classifier head (heads %v)", m.Heads)
	}
	encode := m.EncodeFirst
	if m.fullLast {
		encode = m.Encode
	}
	h, err := encode(b)
	if err != nil {
		return nil, err
	}
	return m.ClassifierLogits(h)
}

// ClassifierLogits applies RobertaClassificationHead to the <s> token of the last hidden state
// h [B, T, hidden]: dropout, dense, tanh, dropout, out_proj. The result is [B, num_labels].
func (m *Model) ClassifierLogits(h *autograd.Tensor) (*autograd.Tensor, error) {
	if m.Heads&HeadClassifier == 0 {
		return nil, fmt.Errorf("transformer: the model has no classifier head (heads %v)", m.Heads)
	}
	var out *autograd.Tensor
	err := autograd.Catch(func() {
		B, H := h.Dim(0), m.Config.HiddenSize
		x := autograd.Reshape(autograd.Slice(h, 1, 0, 1), B, H)
		p := m.Config.classifierDropout()
		x = m.dropout(x, p)
		x = autograd.Tanh(autograd.Linear(x, m.cls.denseW, m.cls.denseB))
		x = m.dropout(x, p)
		out = autograd.Linear(x, m.cls.outW, m.cls.outB)
	})
	return out, err
}

// MLMLogits applies RobertaLMHead to rows of the last hidden state: dense, GELU, layer_norm, and
// the decoder tied to the word embeddings plus lm_head.bias. h is [B, T, hidden] or [N, hidden];
// rows, when not nil, picks the flattened positions (b*T + t) to score, which is all a masked-LM
// loss needs. The result is [rows or B*T, vocab].
func (m *Model) MLMLogits(h *autograd.Tensor, rows []int32) (*autograd.Tensor, error) {
	if m.Heads&HeadMLM == 0 {
		return nil, fmt.Errorf("transformer: the model has no MLM head (heads %v)", m.Heads)
	}
	var out *autograd.Tensor
	err := autograd.Catch(func() {
		H := m.Config.HiddenSize
		x := autograd.Reshape(h, -1, H)
		if rows != nil {
			x = autograd.Embedding(x, rows)
		}
		x = autograd.LinearGELU(x, m.lm.denseW, m.lm.denseB)
		x = autograd.LayerNorm(x, m.lm.lnW, m.lm.lnB, float32(m.Config.LayerNormEps))
		out = autograd.Linear(x, m.word, m.lm.bias)
	})
	return out, err
}

// ClassificationLoss is HF's loss for RobertaForSequenceClassification with integer labels: the
// mean cross entropy of logits [B, num_labels] against labels (IgnoreIndex -100 skipped).
func ClassificationLoss(logits *autograd.Tensor, labels []int32) (*autograd.Tensor, error) {
	if logits.Rank() != 2 || logits.Dim(0) != len(labels) {
		return nil, fmt.Errorf("transformer: %d labels for logits %v", len(labels), logits.Shape())
	}
	for i, l := range labels {
		if l != autograd.IgnoreIndex && (l < 0 || int(l) >= logits.Dim(1)) {
			return nil, fmt.Errorf("transformer: label %d of example %d is outside [0, %d)", l, i, logits.Dim(1))
		}
	}
	var out *autograd.Tensor
	err := autograd.Catch(func() { out = autograd.CrossEntropy(logits, labels) })
	return out, err
}

// RegressionLoss is HF's loss for num_labels == 1: the mean squared error of logits [B, 1]
// against targets.
func RegressionLoss(logits *autograd.Tensor, targets []float32) (*autograd.Tensor, error) {
	if logits.Len() != len(targets) {
		return nil, fmt.Errorf("transformer: %d targets for logits %v", len(targets), logits.Shape())
	}
	var out *autograd.Tensor
	err := autograd.Catch(func() {
		t := autograd.MustFromSlice(logits.Device(), targets, logits.Shape()...)
		out = autograd.MeanAll(autograd.Square(autograd.Sub(logits, t)))
	})
	return out, err
}

// MLMLoss is HF's masked-LM loss: the mean cross entropy of the MLM logits at every position whose
// label (labels is [B*T], -100 elsewhere) is not -100. Only those positions go through the head.
// With no labelled position the loss is 0.
func (m *Model) MLMLoss(h *autograd.Tensor, labels []int32) (*autograd.Tensor, error) {
	if h.Len() != len(labels)*m.Config.HiddenSize {
		return nil, fmt.Errorf("transformer: %d MLM labels for hidden states %v", len(labels), h.Shape())
	}
	var rows, targets []int32
	for i, l := range labels {
		if l == autograd.IgnoreIndex {
			continue
		}
		if l < 0 || int(l) >= m.Config.VocabSize {
			return nil, fmt.Errorf("transformer: MLM label %d at position %d is outside the vocabulary [0, %d)", l, i, m.Config.VocabSize)
		}
		rows, targets = append(rows, int32(i)), append(targets, l)
	}
	if len(rows) == 0 {
		// Keep the graph connected so that Backward works; the gradient is zero.
		return autograd.Scale(autograd.SumAll(autograd.Reshape(autograd.Slice(h, 0, 0, 1), -1)), 0), nil
	}
	logits, err := m.MLMLogits(h, rows)
	if err != nil {
		return nil, err
	}
	var out *autograd.Tensor
	err = autograd.Catch(func() { out = autograd.CrossEntropy(logits, targets) })
	return out, err
}
