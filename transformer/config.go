package transformer

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Config is a RoBERTa configuration with the field names of HF's config.json. Decoding tolerates
// unknown fields; fields that are absent take HF's defaults (see DefaultConfig).
type Config struct {
	Architectures             []string          `json:"architectures,omitempty"`
	ModelType                 string            `json:"model_type"`
	VocabSize                 int               `json:"vocab_size"`
	HiddenSize                int               `json:"hidden_size"`
	NumHiddenLayers           int               `json:"num_hidden_layers"`
	NumAttentionHeads         int               `json:"num_attention_heads"`
	IntermediateSize          int               `json:"intermediate_size"`
	HiddenAct                 string            `json:"hidden_act"`
	HiddenDropoutProb         float64           `json:"hidden_dropout_prob"`
	AttentionProbsDropoutProb float64           `json:"attention_probs_dropout_prob"`
	ClassifierDropout         *float64          `json:"classifier_dropout,omitempty"`  // nil: hidden_dropout_prob
	TieWordEmbeddings         *bool             `json:"tie_word_embeddings,omitempty"` // nil: true; false is not supported
	MaxPositionEmbeddings     int               `json:"max_position_embeddings"`
	TypeVocabSize             int               `json:"type_vocab_size"`
	InitializerRange          float64           `json:"initializer_range"`
	LayerNormEps              float64           `json:"layer_norm_eps"`
	PadTokenID                int               `json:"pad_token_id"`
	BosTokenID                int               `json:"bos_token_id"`
	EosTokenID                int               `json:"eos_token_id"`
	PositionEmbeddingType     string            `json:"position_embedding_type,omitempty"`
	ProblemType               string            `json:"problem_type,omitempty"`
	NumLabels                 int               `json:"num_labels,omitempty"`
	ID2Label                  map[string]string `json:"id2label,omitempty"`
	Label2ID                  map[string]int    `json:"label2id,omitempty"`
	TorchDtype                string            `json:"torch_dtype,omitempty"`
}

// DefaultConfig returns the configuration of roberta-base (HF's RobertaConfig defaults except where
// the roberta-base checkpoint sets a value: vocabulary 50265, 514 positions, layer_norm_eps 1e-5) with
// two labels.
func DefaultConfig() Config {
	return Config{
		Architectures:             []string{"RobertaForMaskedLM"},
		ModelType:                 "roberta",
		VocabSize:                 50265,
		HiddenSize:                768,
		NumHiddenLayers:           12,
		NumAttentionHeads:         12,
		IntermediateSize:          3072,
		HiddenAct:                 "gelu",
		HiddenDropoutProb:         0.1,
		AttentionProbsDropoutProb: 0.1,
		MaxPositionEmbeddings:     514,
		TypeVocabSize:             1,
		InitializerRange:          0.02,
		LayerNormEps:              1e-5,
		PadTokenID:                1,
		BosTokenID:                0,
		EosTokenID:                2,
		PositionEmbeddingType:     "absolute",
		NumLabels:                 2,
	}
}

// hfDefaults are the values HF's RobertaConfig (via BertConfig / PretrainedConfig) uses for absent
// fields: they are what an absent field means in a config.json.
func hfDefaults() Config {
	return Config{
		ModelType:                 "roberta",
		VocabSize:                 30522,
		HiddenSize:                768,
		NumHiddenLayers:           12,
		NumAttentionHeads:         12,
		IntermediateSize:          3072,
		HiddenAct:                 "gelu",
		HiddenDropoutProb:         0.1,
		AttentionProbsDropoutProb: 0.1,
		MaxPositionEmbeddings:     512,
		TypeVocabSize:             2,
		InitializerRange:          0.02,
		LayerNormEps:              1e-12,
		PadTokenID:                1,
		BosTokenID:                0,
		EosTokenID:                2,
		PositionEmbeddingType:     "absolute",
	}
}

// ParseConfig decodes an HF config.json. Unknown fields are ignored; absent fields take HF's
// RobertaConfig defaults. num_labels comes from num_labels, else from len(id2label), else 2.
// The result is validated.
func ParseConfig(data []byte) (Config, error) {
	c := hfDefaults()
	if err := json.Unmarshal(data, &c); err != nil {
		return Config{}, fmt.Errorf("transformer: config.json: %w", err)
	}
	if c.NumLabels == 0 {
		c.NumLabels = len(c.ID2Label)
	}
	if c.NumLabels == 0 {
		c.NumLabels = 2
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// LoadConfig reads and parses dir/config.json (or the file itself when path names a file).
func LoadConfig(path string) (Config, error) {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		path = filepath.Join(path, "config.json")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("transformer: %w", err)
	}
	c, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return c, nil
}

// Validate reports the first field that a RoBERTa model cannot be built from.
func (c *Config) Validate() error {
	bad := func(field string, format string, args ...any) error {
		return fmt.Errorf("transformer: config field %s: %s", field, fmt.Sprintf(format, args...))
	}
	switch c.ModelType {
	case "roberta", "xlm-roberta", "camembert", "":
	default:
		return bad("model_type", "%q is not a RoBERTa model (want \"roberta\")", c.ModelType)
	}
	pos := []struct {
		name string
		v    int
	}{
		{"vocab_size", c.VocabSize}, {"hidden_size", c.HiddenSize}, {"num_hidden_layers", c.NumHiddenLayers},
		{"num_attention_heads", c.NumAttentionHeads}, {"intermediate_size", c.IntermediateSize},
		{"max_position_embeddings", c.MaxPositionEmbeddings}, {"type_vocab_size", c.TypeVocabSize},
		{"num_labels", c.NumLabels},
	}
	for _, p := range pos {
		if p.v <= 0 {
			return bad(p.name, "must be positive, got %d", p.v)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return bad("hidden_size", "%d is not a multiple of num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	switch c.HiddenAct {
	case "gelu", "gelu_python":
	default:
		return bad("hidden_act", "%q is not supported (only the exact erf \"gelu\")", c.HiddenAct)
	}
	if c.PositionEmbeddingType != "" && c.PositionEmbeddingType != "absolute" {
		return bad("position_embedding_type", "%q is not supported (only \"absolute\")", c.PositionEmbeddingType)
	}
	if c.PadTokenID < 0 || c.PadTokenID >= c.VocabSize {
		return bad("pad_token_id", "%d is outside the vocabulary [0, %d)", c.PadTokenID, c.VocabSize)
	}
	if c.PadTokenID+1 >= c.MaxPositionEmbeddings {
		return bad("max_position_embeddings", "%d leaves no position after pad_token_id %d", c.MaxPositionEmbeddings, c.PadTokenID)
	}
	if !(c.LayerNormEps > 0) {
		return bad("layer_norm_eps", "must be positive, got %g", c.LayerNormEps)
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"hidden_dropout_prob", c.HiddenDropoutProb}, {"attention_probs_dropout_prob", c.AttentionProbsDropoutProb},
		{"classifier_dropout", c.classifierDropout()}} {
		if !(p.v >= 0 && p.v < 1) {
			return bad(p.name, "must be in [0, 1), got %g", p.v)
		}
	}
	if c.TieWordEmbeddings != nil && !*c.TieWordEmbeddings {
		return bad("tie_word_embeddings", "false is not supported (the MLM decoder is the word embeddings)")
	}
	if len(c.ID2Label) > 0 && len(c.ID2Label) != c.NumLabels {
		return bad("num_labels", "%d disagrees with id2label's %d entries", c.NumLabels, len(c.ID2Label))
	}
	for k := range c.ID2Label {
		i, err := strconv.Atoi(k)
		if err != nil || i < 0 || i >= c.NumLabels {
			return bad("id2label", "key %q is not a label index in [0, %d)", k, c.NumLabels)
		}
	}
	switch c.ProblemType {
	case "", "single_label_classification", "regression":
	default:
		return bad("problem_type", "%q is not supported", c.ProblemType)
	}
	if c.ProblemType == "regression" && c.NumLabels != 1 {
		return bad("problem_type", "regression needs num_labels 1, got %d", c.NumLabels)
	}
	return nil
}

// classifierDropout is the dropout of the classification head: classifier_dropout when set, else
// hidden_dropout_prob (HF's RobertaClassificationHead).
func (c *Config) classifierDropout() float64 {
	if c.ClassifierDropout != nil {
		return *c.ClassifierDropout
	}
	return c.HiddenDropoutProb
}

// MaxSeqLen is the longest sequence the position embeddings allow: positions start at
// pad_token_id+1.
func (c *Config) MaxSeqLen() int { return c.MaxPositionEmbeddings - c.PadTokenID - 1 }

// HeadDim is hidden_size / num_attention_heads.
func (c *Config) HeadDim() int { return c.HiddenSize / c.NumAttentionHeads }

// Regression reports whether the classification head is a regression (num_labels 1 with no
// problem_type, or problem_type "regression"), as in HF.
func (c *Config) Regression() bool {
	return c.ProblemType == "regression" || (c.ProblemType == "" && c.NumLabels == 1)
}

// Labels returns the label names by index (id2label), or "LABEL_i" where absent, as HF does.
func (c *Config) Labels() []string {
	out := make([]string, c.NumLabels)
	for i := range out {
		if s, ok := c.ID2Label[strconv.Itoa(i)]; ok {
			out[i] = s
		} else {
			out[i] = "LABEL_" + strconv.Itoa(i)
		}
	}
	return out
}

// Marshal encodes the config as an HF config.json (keys sorted, indented). num_labels is written
// and, when absent, id2label/label2id are filled with HF's LABEL_i names.
func (c *Config) Marshal() ([]byte, error) {
	cc := *c
	if len(cc.ID2Label) == 0 {
		cc.ID2Label = map[string]string{}
		cc.Label2ID = map[string]int{}
		for i, s := range c.Labels() {
			cc.ID2Label[strconv.Itoa(i)] = s
			cc.Label2ID[s] = i
		}
	}
	if len(cc.Architectures) == 0 {
		cc.Architectures = []string{"RobertaForMaskedLM"}
	}
	if cc.ModelType == "" {
		cc.ModelType = "roberta"
	}
	// Round-trip through a map: encoding/json writes map keys sorted, like HF's to_json_string.
	raw, err := json.Marshal(cc)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
