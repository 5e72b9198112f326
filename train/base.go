package train

import (
	"fmt"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

// Base is a model and its tokenizer prepared for many runs: it keeps one
// host copy of the initial weights theta_0 (Reset puts them back without
// reading any file) and caches the tokenized splits of the tasks it has seen.
// FineTune resets the model before every run, so runs with different d,
// methods or seeds on one Base all start from the same theta_0.
type Base struct {
	Model     *transformer.Model
	Tokenizer *tokenizer.Tokenizer
	// Hash, when set (checkpoint.Hash of the base checkpoint), is recorded
	// in adapters and checked when they are loaded.
	Hash string

	params []*autograd.Tensor
	theta0 [][]float32
	cache  map[cacheKey][]data.Item
}

type cacheKey struct {
	first  *data.Example
	n, max int
}

// NewBase snapshots the model's current weights as theta_0.
func NewBase(m *transformer.Model, tok *tokenizer.Tokenizer) (*Base, error) {
	if m == nil || tok == nil {
		return nil, fmt.Errorf("train: NewBase needs a model and a tokenizer")
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return nil, fmt.Errorf("train: the tokenizer has %d ids but the model's vocabulary has %d", tok.VocabSize(), m.Config.VocabSize)
	}
	if tok.PAD() < 0 || tok.BOS() < 0 || tok.EOS() < 0 {
		return nil, fmt.Errorf("train: the tokenizer lacks <s>, </s> or <pad>")
	}
	b := &Base{Model: m, Tokenizer: tok, params: m.Parameters(), cache: map[cacheKey][]data.Item{}}
	for _, p := range b.params {
		b.theta0 = append(b.theta0, p.Data())
	}
	return b, nil
}

// Reset writes theta_0 back into the model's parameters and drops their
// gradients.
func (b *Base) Reset() error {
	for i, p := range b.params {
		if err := p.SetData(b.theta0[i]); err != nil {
			return fmt.Errorf("train: reset %s: %w", p.Name(), err)
		}
		p.ZeroGrad()
	}
	return nil
}

// Theta0 returns the saved initial values of parameter name (read-only), or nil.
func (b *Base) Theta0(name string) []float32 {
	for i, p := range b.params {
		if p.Name() == name {
			return b.theta0[i]
		}
	}
	return nil
}

// Encoder wraps the tokenizer as a data.Encoder (RoBERTa's special tokens,
// truncation to maxLen).
func (b *Base) Encoder() data.Encoder { return Encoder(b.Tokenizer) }

// Encoder adapts a tokenizer to data.Encoder: "<s> a </s>" or
// "<s> a </s></s> b </s>", truncated (longest first) to maxLen ids.
func Encoder(tok *tokenizer.Tokenizer) data.Encoder {
	return data.EncoderFunc(func(a, b string, maxLen int) ([]int, error) {
		opt := tokenizer.Options{MaxLength: maxLen}
		if b == "" {
			e, err := tok.EncodeSingle(a, opt)
			return e.IDs, err
		}
		e, err := tok.EncodePair(a, b, opt)
		return e.IDs, err
	})
}

// encode tokenizes examples once per (slice, maxLen).
func (b *Base) encode(ex []data.Example, maxLen int) ([]data.Item, error) {
	if len(ex) == 0 {
		return nil, nil
	}
	k := cacheKey{&ex[0], len(ex), maxLen}
	if it, ok := b.cache[k]; ok {
		return it, nil
	}
	it, err := data.EncodeExamples(b.Encoder(), ex, maxLen)
	if err != nil {
		return nil, err
	}
	b.cache[k] = it
	return it, nil
}

// ForTask returns a model with a fresh classification head of numLabels
// outputs (initialised from seed as HF does) and every other parameter of
// m copied by name: a pre-trained MLM checkpoint becomes a classifier. When
// m already has a classifier head of that size and no MLM head, m itself is
// returned.
func ForTask(m *transformer.Model, numLabels int, seed uint64) (*transformer.Model, error) {
	if numLabels < 1 {
		return nil, fmt.Errorf("train: numLabels %d", numLabels)
	}
	if m.Heads == transformer.HeadClassifier && m.Config.NumLabels == numLabels {
		return m, nil
	}
	cfg := m.Config
	cfg.NumLabels = numLabels
	cfg.ID2Label, cfg.Label2ID = nil, nil
	cfg.ProblemType = ""
	if numLabels == 1 {
		cfg.ProblemType = "regression"
	}
	out, err := transformer.New(cfg, seed, transformer.WithHeads(transformer.HeadClassifier), transformer.WithDevice(m.Device()))
	if err != nil {
		return nil, fmt.Errorf("train: classifier model: %w", err)
	}
	keepHead := m.Heads&transformer.HeadClassifier != 0 && m.Config.NumLabels == numLabels
	for _, p := range out.Parameters() {
		src := m.Parameter(p.Name())
		if src == nil || (!keepHead && isClassifier(p.Name())) {
			continue
		}
		if err := p.CopyFrom(src); err != nil {
			return nil, fmt.Errorf("train: copy %s: %w", p.Name(), err)
		}
	}
	return out, nil
}

func isClassifier(name string) bool {
	return len(name) >= 11 && name[:11] == "classifier."
}
