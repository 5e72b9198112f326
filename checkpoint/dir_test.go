package checkpoint

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// robertaConfig is the part of an HF config.json a model would read.
type robertaConfig struct {
	ModelType         string  `json:"model_type"`
	VocabSize         int     `json:"vocab_size"`
	HiddenSize        int     `json:"hidden_size"`
	NumHiddenLayers   int     `json:"num_hidden_layers"`
	LayerNormEps      float64 `json:"layer_norm_eps"`
	PadTokenID        int     `json:"pad_token_id"`
	HiddenAct         string  `json:"hidden_act"`
	Architectures     []string
	ID2Label          map[string]string `json:"id2label"`
	MaxPositionEmbeds int               `json:"max_position_embeddings"`
}

// An excerpt of roberta-base's config.json, with fields the struct lacks.
const robertaJSON = `{
  "architectures": ["RobertaForMaskedLM"],
  "attention_probs_dropout_prob": 0.1,
  "bos_token_id": 0,
  "eos_token_id": 2,
  "hidden_act": "gelu",
  "hidden_size": 768,
  "layer_norm_eps": 1e-05,
  "max_position_embeddings": 514,
  "model_type": "roberta",
  "num_hidden_layers": 12,
  "pad_token_id": 1,
  "transformers_version": "4.40.0",
  "id2label": {"0": "NEGATIVE", "1": "POSITIVE"},
  "vocab_size": 50265
}
`

func smallModel(rng *rand.Rand) []Tensor {
	mk := func(name string, dt DType, shape ...int) Tensor {
		n := 1
		for _, d := range shape {
			n *= d
		}
		return Tensor{Name: name, Shape: shape, DType: dt, Data: randomValues(rng, n)}
	}
	return []Tensor{
		mk("roberta.embeddings.word_embeddings.weight", F32, 50, 16),
		mk("roberta.embeddings.position_embeddings.weight", F32, 20, 16),
		mk("roberta.embeddings.LayerNorm.weight", F32, 16),
		mk("roberta.encoder.layer.0.attention.self.query.weight", BF16, 16, 16),
		mk("roberta.encoder.layer.0.attention.self.query.bias", BF16, 16),
		mk("classifier.dense.weight", F32, 16, 16),
		mk("classifier.out_proj.bias", F32, 2),
		mk("scalar", F32),
	}
}

func checkSameTensors(t *testing.T, a, b Source) {
	t.Helper()
	if !slices.Equal(a.Names(), b.Names()) {
		t.Fatalf("names differ: %v vs %v", a.Names(), b.Names())
	}
	for _, n := range a.Names() {
		ia, _ := a.Info(n)
		ib, _ := b.Info(n)
		ba, _ := a.Bytes(n)
		bb, _ := b.Bytes(n)
		if ia.DType != ib.DType || !slices.Equal(ia.Shape, ib.Shape) || string(ba) != string(bb) {
			t.Errorf("tensor %q differs", n)
		}
	}
}

func TestDirRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tensors := smallModel(rng)
	var cfg map[string]any
	if err := json.Unmarshal([]byte(robertaJSON), &cfg); err != nil {
		t.Fatal(err)
	}
	single := t.TempDir()
	if err := WriteDir(single, cfg, tensors, nil); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, single); !slices.Equal(got, []string{ConfigFile, WeightsFile}) {
		t.Errorf("single dir holds %v", got)
	}
	d1, err := OpenDir(single)
	if err != nil {
		t.Fatal(err)
	}
	defer d1.Close()
	var rc robertaConfig
	if err := d1.Config(&rc); err != nil {
		t.Fatal(err)
	}
	if rc.HiddenSize != 768 || rc.VocabSize != 50265 || rc.LayerNormEps != 1e-5 || rc.ModelType != "roberta" ||
		rc.PadTokenID != 1 || rc.ID2Label["1"] != "POSITIVE" || !slices.Equal(rc.Architectures, []string{"RobertaForMaskedLM"}) {
		t.Errorf("config = %+v", rc)
	}
	m, err := d1.ConfigMap()
	if err != nil || m["transformers_version"] != "4.40.0" || m["attention_probs_dropout_prob"] != 0.1 {
		t.Errorf("ConfigMap = %v, %v", m, err)
	}
	raw, _ := os.ReadFile(filepath.Join(single, ConfigFile))
	if !strings.Contains(string(raw), "\n  \"hidden_size\": 768,\n") {
		t.Errorf("config.json is not indented JSON:\n%s", raw)
	}
	f, _ := Open(filepath.Join(single, WeightsFile))
	if f.Metadata()["format"] != "pt" {
		t.Errorf("metadata %v lacks format=pt", f.Metadata())
	}
	f.Close()
	for _, want := range tensors {
		shape, got, err := d1.Tensor(want.Name)
		if err != nil || !slices.Equal(shape, want.Shape) {
			t.Fatalf("Tensor(%q) = %v, %v", want.Name, shape, err)
		}
		for i, x := range want.Data {
			w := x
			if want.DType == BF16 {
				w = DecodeBF16(EncodeBF16(x))
			}
			if !sameFloat(got[i], w) {
				t.Fatalf("%s[%d] = %v, want %v", want.Name, i, got[i], w)
			}
		}
	}

	// Sharded: at most 2 KB of data per shard.
	sharded := t.TempDir()
	if err := WriteDir(sharded, cfg, tensors, &DirOptions{MaxShardBytes: 2048}); err != nil {
		t.Fatal(err)
	}
	names := dirNames(t, sharded)
	if slices.Contains(names, WeightsFile) || !slices.Contains(names, WeightsIndexFile) || len(names) < 5 {
		t.Errorf("sharded dir holds %v", names)
	}
	d2, err := OpenDir(sharded)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	if d2.Path() != sharded || d2.Len() != len(tensors) || !d2.Has("scalar") || d2.Has("nope") {
		t.Errorf("Path/Len/Has: %q %d", d2.Path(), d2.Len())
	}
	if len(d2.Files()) < 3 {
		t.Errorf("sharded dir opened %d files", len(d2.Files()))
	}
	for _, file := range d2.Files() {
		st, _ := os.Stat(file)
		f, _ := Open(file)
		var data int64
		for _, n := range f.Names() {
			info, _ := f.Info(n)
			data += info.NumBytes()
		}
		if data > 2048 && f.Len() > 1 {
			t.Errorf("%s holds %d data bytes in %d tensors (file %d bytes)", file, data, f.Len(), st.Size())
		}
		f.Close()
	}
	if ts, ok := d2.IndexMetadata()["total_size"].(float64); !ok || ts <= 0 {
		t.Errorf("index metadata = %v", d2.IndexMetadata())
	}
	info, _ := d2.Info("scalar")
	if filepath.Dir(info.File) != sharded {
		t.Errorf("Info.File = %q", info.File)
	}
	checkSameTensors(t, d1, d2)
	h1, err1 := Hash(d1)
	h2, err2 := Hash(d2)
	if err1 != nil || err2 != nil || h1 != h2 {
		t.Errorf("hashes of the same weights differ: %s %s %v %v", h1, h2, err1, err2)
	}

	// Rewriting the sharded dir as one file removes the shards and index;
	// rewriting it sharded again removes model.safetensors.
	if err := WriteDir(sharded, nil, tensors, nil); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, sharded); !slices.Equal(got, []string{ConfigFile, WeightsFile}) {
		t.Errorf("after rewriting as one file: %v", got)
	}
	if err := WriteDir(sharded, nil, tensors, &DirOptions{MaxShardBytes: 4096}); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, sharded); slices.Contains(got, WeightsFile) {
		t.Errorf("after rewriting sharded: %v", got)
	}
	// Fewer, larger shards replace more, smaller ones.
	if err := WriteDir(sharded, nil, tensors, &DirOptions{MaxShardBytes: 1 << 20 / 8}); err != nil {
		t.Fatal(err)
	}
	d3, err := OpenDir(sharded)
	if err != nil {
		t.Fatal(err)
	}
	defer d3.Close()
	for _, n := range dirNames(t, sharded) {
		if strings.HasPrefix(n, "model-") && !slices.Contains(d3.Files(), filepath.Join(sharded, n)) {
			t.Errorf("stale shard %s left behind", n)
		}
	}
	checkSameTensors(t, d1, d3)

	// OpenDir on the file itself.
	d4, err := OpenDir(filepath.Join(single, WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer d4.Close()
	checkSameTensors(t, d1, d4)
	if err := d4.Config(&rc); err != nil {
		t.Errorf("Config beside a file: %v", err)
	}
}

func writeIndex(t *testing.T, dir string, weightMap map[string]string) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 8}, "weight_map": weightMap})
	if err := os.WriteFile(filepath.Join(dir, WeightsIndexFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDirRejects(t *testing.T) {
	one := func(dir, file string, names ...string) {
		var ts []Tensor
		for _, n := range names {
			ts = append(ts, Tensor{Name: n, Shape: []int{1}, Data: []float32{1}})
		}
		if err := Write(filepath.Join(dir, file), ts, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		setup func(dir string)
		want  []string
	}{
		{"empty", func(dir string) {}, []string{"neither model.safetensors nor model.safetensors.index.json"}},
		{"pytorch only", func(dir string) {
			os.WriteFile(filepath.Join(dir, "pytorch_model.bin"), []byte("PK"), 0o644)
		}, []string{"pytorch_model.bin", "safetensors"}},
		{"index lies about the file", func(dir string) {
			one(dir, "s1.safetensors", "a")
			one(dir, "s2.safetensors", "b")
			writeIndex(t, dir, map[string]string{"a": "s2.safetensors", "b": "s2.safetensors"})
		}, []string{`tensor "a"`, "s2.safetensors", "does not hold it"}},
		{"tensor in two shards", func(dir string) {
			one(dir, "s1.safetensors", "a", "x")
			one(dir, "s2.safetensors", "b", "x")
			writeIndex(t, dir, map[string]string{"a": "s1.safetensors", "b": "s2.safetensors"})
		}, []string{`tensor "x"`, "s1.safetensors", "s2.safetensors"}},
		{"path outside", func(dir string) {
			writeIndex(t, dir, map[string]string{"a": "../evil.safetensors"})
		}, []string{"../evil.safetensors", "not a plain file name"}},
		{"absolute path", func(dir string) {
			writeIndex(t, dir, map[string]string{"a": "/etc/passwd"})
		}, []string{"/etc/passwd", "not a plain file name"}},
		{"missing shard", func(dir string) {
			writeIndex(t, dir, map[string]string{"a": "s9.safetensors"})
		}, []string{"s9.safetensors"}},
		{"no weight_map", func(dir string) {
			os.WriteFile(filepath.Join(dir, WeightsIndexFile), []byte(`{"metadata":{}}`), 0o644)
		}, []string{WeightsIndexFile, "weight_map is missing"}},
		{"bad index JSON", func(dir string) {
			os.WriteFile(filepath.Join(dir, WeightsIndexFile), []byte("{\n\"weight_map\": {\"a\": 3}}"), 0o644)
		}, []string{WeightsIndexFile, "line 2"}},
		{"corrupt shard", func(dir string) {
			os.WriteFile(filepath.Join(dir, "s1.safetensors"), []byte("garbage!garbage"), 0o644)
			writeIndex(t, dir, map[string]string{"a": "s1.safetensors"})
		}, []string{"s1.safetensors", "header length"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			c.setup(dir)
			d, err := OpenDir(dir)
			if err == nil {
				d.Close()
				t.Fatal("accepted")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ConfigFile)
	var rc robertaConfig
	for _, c := range []struct {
		json string
		want []string
	}{
		{"{\n  \"hidden_size\": 768,\n  \"vocab_size\": \"many\"\n}", []string{p, "line 3", "vocab_size"}},
		{"{\n  \"hidden_size\": 768,\n  oops\n}", []string{p, "line 3, column 3", "invalid character"}},
		{"", []string{p, "unexpected end"}},
	} {
		os.WriteFile(p, []byte(c.json), 0o644)
		err := ReadConfig(p, &rc)
		if err == nil {
			t.Errorf("ReadConfig(%q) accepted", c.json)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("ReadConfig(%q) = %q, lacks %q", c.json, err, w)
			}
		}
	}
	if err := ReadConfig(filepath.Join(dir, "none.json"), &rc); err == nil || !strings.Contains(err.Error(), "none.json") {
		t.Errorf("ReadConfig(missing) = %v", err)
	}
	// Round trip of a struct through WriteConfig.
	in := robertaConfig{ModelType: "roberta", HiddenSize: 32, LayerNormEps: 1e-5, ID2Label: map[string]string{"0": "a"}}
	if err := WriteConfig(p, in); err != nil {
		t.Fatal(err)
	}
	var out robertaConfig
	if err := ReadConfig(p, &out); err != nil || out.HiddenSize != 32 || out.LayerNormEps != 1e-5 || out.ID2Label["0"] != "a" {
		t.Errorf("config round trip: %+v, %v", out, err)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{ConfigFile}) {
		t.Errorf("dir holds %v", got)
	}
}
