package transformer

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/idim-go/idim/checkpoint"
)

func TestParamSpecsMatchFixture(t *testing.T) {
	c, err := LoadConfig("testdata/tiny-roberta")
	if err != nil {
		t.Fatal(err)
	}
	tensors := readMap(t, "testdata/tiny-roberta")
	heads := headsIn(&c, mapSource{"fixture", tensors})
	if heads != HeadClassifier|HeadMLM {
		t.Errorf("heads in fixture: %v", heads)
	}
	specs := paramSpecs(&c, heads)
	if len(specs) != len(tensors) {
		t.Errorf("%d specs, %d tensors in the fixture", len(specs), len(tensors))
	}
	for _, p := range specs {
		st, ok := tensors[p.Name]
		if !ok {
			t.Errorf("fixture lacks %s", p.Name)
			continue
		}
		if !slices.Equal(st.Shape, p.Shape) {
			t.Errorf("%s: spec shape %v, fixture %v", p.Name, p.Shape, st.Shape)
		}
	}
}

func allocFor(specs []paramSpec) [][]float32 {
	d := make([][]float32, len(specs))
	for i, p := range specs {
		d[i] = make([]float32, numel(p.Shape))
	}
	return d
}

func TestAssignWeights(t *testing.T) {
	c, _ := LoadConfig("testdata/tiny-roberta")
	tensors := readMap(t, "testdata/tiny-roberta")
	// Bare-RobertaModel names (no "roberta." prefix), gamma/beta, a pooler and a duplicate decoder.
	alt := map[string]stTensor{}
	for n, v := range tensors {
		if strings.HasPrefix(n, "classifier.") {
			continue
		}
		n = strings.TrimPrefix(n, "roberta.")
		if strings.HasSuffix(n, "LayerNorm.weight") {
			n = strings.TrimSuffix(n, "weight") + "gamma"
		}
		alt[n] = v
	}
	alt["pooler.dense.weight"] = stTensor{Shape: []int{32, 32}, Data: make([]float32, 32*32)}
	alt["lm_head.decoder.weight"] = tensors["roberta.embeddings.word_embeddings.weight"]
	specs := paramSpecs(&c, HeadClassifier|HeadMLM)
	data := allocFor(specs)
	rep, err := assignWeights(&c, specs, data, mapSource{"alt", alt}, 7)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight", "classifier.out_proj.bias"}
	if !slices.Equal(rep.Initialized, want) || !slices.Equal(rep.Unused, []string{"pooler.dense.weight"}) {
		t.Errorf("report: %v", rep)
	}
	for i, p := range specs {
		switch {
		case strings.HasPrefix(p.Name, "classifier."):
			// HF init: normal(0, 0.02) weights, zero biases.
			var s2 float64
			for _, v := range data[i] {
				s2 += float64(v) * float64(v)
			}
			std := math.Sqrt(s2 / float64(len(data[i])))
			if strings.HasSuffix(p.Name, "bias") && std != 0 || strings.HasSuffix(p.Name, "weight") && (std < 0.01 || std > 0.03) {
				t.Errorf("%s initialised with rms %g", p.Name, std)
			}
		default:
			if !slices.Equal(data[i], tensors[p.Name].Data) {
				t.Errorf("%s not copied", p.Name)
			}
		}
	}

	// A wrong shape names the tensor and both shapes; a missing encoder tensor is an error.
	bad := map[string]stTensor{}
	for n, v := range tensors {
		bad[n] = v
	}
	bad["roberta.encoder.layer.1.intermediate.dense.weight"] = stTensor{Shape: []int{32, 64}, Data: make([]float32, 64*32)}
	_, err = assignWeights(&c, specs, allocFor(specs), mapSource{"bad.safetensors", bad}, 1)
	if err == nil || !strings.Contains(err.Error(), `"roberta.encoder.layer.1.intermediate.dense.weight" has shape [32 64], the config wants [64 32]`) ||
		!strings.Contains(err.Error(), "bad.safetensors") {
		t.Errorf("shape mismatch error: %v", err)
	}
	delete(bad, "roberta.encoder.layer.1.intermediate.dense.weight")
	_, err = assignWeights(&c, specs, allocFor(specs), mapSource{"bad.safetensors", bad}, 1)
	if err == nil || !strings.Contains(err.Error(), `missing tensor "roberta.encoder.layer.1.intermediate.dense.weight"`) {
		t.Errorf("missing tensor error: %v", err)
	}
}

func TestInitParamDeterministic(t *testing.T) {
	c := DefaultConfig()
	c.VocabSize, c.HiddenSize, c.IntermediateSize, c.NumAttentionHeads, c.NumHiddenLayers = 50, 16, 32, 2, 1
	specs := paramSpecs(&c, HeadMLM)
	a, b := allocFor(specs), allocFor(specs)
	for i := range specs {
		initParam(&specs[i], a[i], 0.02, 3)
		initParam(&specs[i], b[i], 0.02, 3)
		if !slices.Equal(a[i], b[i]) {
			t.Fatalf("%s: same seed, different values", specs[i].Name)
		}
	}
	// Padding rows start at zero, as HF's init leaves them.
	row := a[0][c.PadTokenID*16 : (c.PadTokenID+1)*16]
	for _, v := range row {
		if v != 0 {
			t.Fatalf("word embedding padding row not zero: %v", row)
		}
	}
}

// stTensor and mapSource are an in-memory weightSource.
type stTensor struct {
	Shape []int
	Data  []float32
}

type mapSource struct {
	path string
	m    map[string]stTensor
}

func (s mapSource) Path() string { return s.path }
func (s mapSource) Names() []string {
	var n []string
	for k := range s.m {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}
func (s mapSource) Shape(name string) ([]int, bool) { t, ok := s.m[name]; return t.Shape, ok }
func (s mapSource) ReadInto(name string, dst []float32) error {
	copy(dst, s.m[name].Data)
	return nil
}

func readMap(t *testing.T, dir string) map[string]stTensor {
	t.Helper()
	d, err := checkpoint.OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	m := map[string]stTensor{}
	for _, n := range d.Names() {
		shape, data, err := d.Tensor(n)
		if err != nil {
			t.Fatal(err)
		}
		m[n] = stTensor{Shape: slices.Clone(shape), Data: slices.Clone(data)}
	}
	return m
}

// The parameter counts of HF's RobertaForMaskedLM for roberta-base and roberta-large (as
// transformers' num_parameters() reports them, tied decoder counted once).
func TestParamCounts(t *testing.T) {
	base := DefaultConfig()
	large := DefaultConfig()
	large.HiddenSize, large.NumHiddenLayers, large.NumAttentionHeads, large.IntermediateSize = 1024, 24, 16, 4096
	for _, tc := range []struct {
		name string
		c    Config
		want int
	}{{"roberta-base", base, 124697433}, {"roberta-large", large, 355412057}} {
		if err := tc.c.Validate(); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range paramSpecs(&tc.c, HeadMLM) {
			n += numel(p.Shape)
		}
		if n != tc.want {
			t.Errorf("%s: %d parameters, want %d", tc.name, n, tc.want)
		}
	}
}
