package transformer

import (
	"strings"
	"testing"
)

func TestParseConfigFixture(t *testing.T) {
	c, err := LoadConfig("testdata/tiny-roberta")
	if err != nil {
		t.Fatal(err)
	}
	if c.VocabSize != 100 || c.HiddenSize != 32 || c.NumHiddenLayers != 2 || c.NumAttentionHeads != 4 ||
		c.IntermediateSize != 64 || c.MaxPositionEmbeddings != 40 || c.TypeVocabSize != 1 ||
		c.LayerNormEps != 1e-5 || c.PadTokenID != 1 || c.NumLabels != 3 {
		t.Errorf("fixture config decoded as %+v", c)
	}
	if got := c.Labels(); strings.Join(got, ",") != "negative,neutral,positive" {
		t.Errorf("labels %v", got)
	}
	if c.HeadDim() != 8 || c.MaxSeqLen() != 38 {
		t.Errorf("HeadDim %d MaxSeqLen %d", c.HeadDim(), c.MaxSeqLen())
	}
}

func TestParseConfigDefaults(t *testing.T) {
	// Absent fields take HF's RobertaConfig/BertConfig defaults; unknown fields are ignored.
	c, err := ParseConfig([]byte(`{"model_type":"roberta","some_future_field":{"x":1},"vocab_size":50}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.LayerNormEps != 1e-12 || c.PadTokenID != 1 || c.NumLabels != 2 || c.HiddenSize != 768 ||
		c.TypeVocabSize != 2 || c.MaxPositionEmbeddings != 512 || c.HiddenAct != "gelu" {
		t.Errorf("defaults: %+v", c)
	}
	c, err = ParseConfig([]byte(`{"id2label":{"0":"a","1":"b","2":"c","3":"d"}}`))
	if err != nil || c.NumLabels != 4 {
		t.Errorf("num_labels from id2label: %d, %v", c.NumLabels, err)
	}
	if c.classifierDropout() != 0.1 {
		t.Errorf("classifier dropout defaults to hidden_dropout_prob, got %g", c.classifierDropout())
	}
	c, err = ParseConfig([]byte(`{"classifier_dropout":0.3}`))
	if err != nil || c.classifierDropout() != 0.3 {
		t.Errorf("classifier_dropout: %v", err)
	}
	c, err = ParseConfig([]byte(`{"num_labels":1}`))
	if err != nil || !c.Regression() {
		t.Errorf("num_labels 1 is regression: %v %v", c.Regression(), err)
	}
}

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct{ json, want string }{
		{`{"hidden_size":100,"num_attention_heads":12}`, "hidden_size: 100 is not a multiple of num_attention_heads 12"},
		{`{"num_hidden_layers":0}`, "num_hidden_layers: must be positive"},
		{`{"hidden_act":"relu"}`, "hidden_act"},
		{`{"model_type":"gpt2"}`, "model_type"},
		{`{"position_embedding_type":"relative_key"}`, "position_embedding_type"},
		{`{"pad_token_id":600000}`, "pad_token_id"},
		{`{"layer_norm_eps":0}`, "layer_norm_eps"},
		{`{"hidden_dropout_prob":1.5}`, "hidden_dropout_prob"},
		{`{"classifier_dropout":-0.1}`, "classifier_dropout"},
		{`{"tie_word_embeddings":false}`, "tie_word_embeddings"},
		{`{"num_labels":3,"id2label":{"0":"a","1":"b"}}`, "num_labels"},
		{`{"id2label":{"0":"a","x":"b"}}`, "id2label"},
		{`{"vocab_size":"many"}`, "vocab_size"},
		{`{`, "config.json"},
	} {
		_, err := ParseConfig([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseConfig(%s) = %v, want an error mentioning %q", tc.json, err, tc.want)
		}
	}
}

func TestConfigMarshalRoundTrip(t *testing.T) {
	c := DefaultConfig()
	c.NumLabels = 3
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	if d.NumLabels != 3 || d.LayerNormEps != 1e-5 || d.VocabSize != 50265 || d.Labels()[2] != "LABEL_2" {
		t.Errorf("round trip: %+v\n%s", d, b)
	}
}
