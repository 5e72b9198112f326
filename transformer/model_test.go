package transformer

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/checkpoint"
)

func tinyConfig() Config {
	c := DefaultConfig()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads = 60, 16, 2, 2
	c.IntermediateSize, c.MaxPositionEmbeddings, c.NumLabels = 32, 20, 3
	return c
}

func tinyBatch() Batch {
	return Batch{B: 2, T: 5, InputIDs: []int32{0, 7, 8, 9, 2, 0, 11, 2, 1, 1},
		Attention: []int32{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}}
}

func encodeData(t *testing.T, m *Model, b Batch) []float32 {
	t.Helper()
	var out []float32
	autograd.NoGrad(func() {
		h, err := m.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		out = h.Data()
	})
	return out
}

func TestPositionIDs(t *testing.T) {
	got := PositionIDs([]int32{0, 5, 6, 2, 1, 1, 0, 2, 1, 1, 1, 1}, 6, 1)
	want := []int32{2, 3, 4, 5, 1, 1, 2, 3, 1, 1, 1, 1}
	if !slices.Equal(got, want) {
		t.Errorf("PositionIDs = %v, want %v", got, want)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	c := tinyConfig()
	m, err := New(c, 42)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := New(c, 42)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range m.Parameters() {
		if !slices.Equal(p.Data(), m2.Parameters()[i].Data()) {
			t.Fatalf("New is not reproducible: %s", p.Name())
		}
	}
	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	l, rep, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Initialized)+len(rep.Unused) != 0 || l.Heads != m.Heads || l.Config.NumLabels != 3 {
		t.Errorf("reload: heads %v, report %v", l.Heads, rep)
	}
	for i, p := range m.Parameters() {
		q := l.Parameters()[i]
		if p.Name() != q.Name() || !slices.Equal(p.Data(), q.Data()) {
			t.Fatalf("parameter %s did not round-trip", p.Name())
		}
	}
	if !slices.Equal(encodeData(t, m, tinyBatch()), encodeData(t, l, tinyBatch())) {
		t.Error("outputs differ after Save/Load")
	}
	// Loading with only the classifier head: lm_head.* is reported unused.
	l, rep, err = Load(dir, WithHeads(HeadClassifier))
	if err != nil {
		t.Fatal(err)
	}
	if l.Parameter("lm_head.bias") != nil || len(rep.Unused) != 5 {
		t.Errorf("classifier-only load: %v", rep)
	}
}

func TestDropoutTrainMode(t *testing.T) {
	c := tinyConfig()
	m, _ := New(c, 1)
	b := tinyBatch()
	eval := encodeData(t, m, b)
	m.SetTrain(true)
	m.SetSeed(9)
	tr1 := encodeData(t, m, b)
	m.SetSeed(9)
	tr2 := encodeData(t, m, b)
	m.SetSeed(10)
	tr3 := encodeData(t, m, b)
	if slices.Equal(eval, tr1) || !slices.Equal(tr1, tr2) || slices.Equal(tr1, tr3) {
		t.Error("dropout: train differs from eval, is reproducible from the seed and changes with it")
	}
	m.SetTrain(false)
	if !slices.Equal(eval, encodeData(t, m, b)) {
		t.Error("eval mode is not deterministic")
	}
}

// Padding does not change the outputs of the real tokens: a batch padded to a longer length
// gives the same hidden states on the real positions.
func TestPaddingInvariance(t *testing.T) {
	m, _ := New(tinyConfig(), 3)
	short := Batch{B: 1, T: 4, InputIDs: []int32{0, 7, 8, 2}}
	long := Batch{B: 1, T: 7, InputIDs: []int32{0, 7, 8, 2, 1, 1, 1}, Attention: []int32{1, 1, 1, 1, 0, 0, 0}}
	a, b := encodeData(t, m, short), encodeData(t, m, long)
	if e := relErr(b[:len(a)], widen(a)); e > 1e-6 {
		t.Errorf("padding changed real outputs: rel err %g", e)
	}
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func TestBadInput(t *testing.T) {
	m, _ := New(tinyConfig(), 3)
	for _, tc := range []struct {
		b    Batch
		want string
	}{
		{Batch{B: 1, T: 3, InputIDs: []int32{0, 60, 2}}, "input id 60"},
		{Batch{B: 1, T: 3, InputIDs: []int32{0, 2}}, "has 2 input ids"},
		{Batch{B: 1, T: 3, InputIDs: []int32{0, 5, 2}, Attention: []int32{1}}, "attention mask"},
		{Batch{B: 1, T: 3, InputIDs: []int32{0, 5, 2}, TokenType: []int32{0, 1, 0}}, "token type 1"},
		{Batch{B: 1, T: 19, InputIDs: make([]int32, 19)}, "exceeds the model's 18"},
	} {
		if _, err := m.Encode(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Encode(%+v) = %v, want %q", tc.b, err, tc.want)
		}
	}
	logits := autograd.Zeros(autograd.CPU(), 2, 3)
	if _, err := ClassificationLoss(logits, []int32{0, 3}); err == nil || !strings.Contains(err.Error(), "label 3") {
		t.Errorf("bad label: %v", err)
	}
	m2, _ := New(tinyConfig(), 3, WithHeads(HeadMLM))
	if _, err := m2.ClassifierLogits(logits); err == nil || !strings.Contains(err.Error(), "no classifier head") {
		t.Errorf("missing head: %v", err)
	}
}

func TestRegressionAndEmptyMLMLoss(t *testing.T) {
	dev := autograd.CPU()
	logits := autograd.MustFromSlice(dev, []float32{0.5, -1, 2}, 3, 1)
	loss, err := RegressionLoss(logits, []float32{1, 1, 1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := loss.Item(), float32((0.25+4+1)/3.0); got != want {
		t.Errorf("MSE %g, want %g", got, want)
	}
	m, _ := New(tinyConfig(), 3, WithHeads(HeadMLM))
	b := tinyBatch()
	h, err := m.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	none := make([]int32, b.B*b.T)
	for i := range none {
		none[i] = autograd.IgnoreIndex
	}
	l, err := m.MLMLoss(h, none)
	if err != nil {
		t.Fatal(err)
	}
	if l.Item() != 0 {
		t.Errorf("MLM loss with no labels: %g", l.Item())
	}
	l.Backward() // must not panic
	if _, err := m.MLMLoss(h, none[:3]); err == nil {
		t.Error("MLMLoss accepted 3 labels for 10 positions")
	}
}

// A few plain gradient steps on one batch lower both losses: the gradients point downhill
// through every part of the model, in train mode with dropout.
func TestTrainingLowersLoss(t *testing.T) {
	m, err := New(tinyConfig(), 5)
	if err != nil {
		t.Fatal(err)
	}
	m.SetTrain(true)
	b := tinyBatch()
	labels := []int32{2, 0}
	mlm := []int32{-100, 9, -100, 4, -100, -100, 3, -100, -100, -100}
	var first, last float32
	for step := 0; step < 30; step++ {
		m.SetSeed(uint64(step))
		h, err := m.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		logits, _ := m.ClassifierLogits(h)
		cl, _ := ClassificationLoss(logits, labels)
		ml, _ := m.MLMLoss(h, mlm)
		loss := autograd.Add(cl, ml)
		if step == 0 {
			first = loss.Item()
		}
		last = loss.Item()
		loss.Backward()
		for _, p := range m.Parameters() {
			if g := p.Grad(); g != nil {
				p.Device().Axpy(-0.05, g, p)
			}
		}
		autograd.ZeroGrads(m.Parameters())
	}
	if !(last < 0.5*first) {
		t.Errorf("loss %g -> %g after 30 steps", first, last)
	}
}

// A sharded HF directory (model.safetensors.index.json) with BF16 weights and bare-RobertaModel
// names loads too.
func TestLoadShardedBF16(t *testing.T) {
	m, _ := New(tinyConfig(), 8, WithHeads(HeadMLM))
	var ts []checkpoint.Tensor
	for _, p := range m.Parameters() {
		name := strings.TrimPrefix(p.Name(), "roberta.")
		ts = append(ts, checkpoint.Tensor{Name: name, Shape: p.Shape(), Data: p.Data(), DType: checkpoint.BF16})
	}
	cfg, _ := m.Config.Marshal()
	dir := t.TempDir()
	if err := checkpoint.WriteDir(dir, json.RawMessage(cfg), ts, &checkpoint.DirOptions{MaxShardBytes: 4096}); err != nil {
		t.Fatal(err)
	}
	l, rep, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if l.Heads != HeadMLM || len(rep.Initialized)+len(rep.Unused) != 0 {
		t.Errorf("heads %v, report %v", l.Heads, rep)
	}
	for i, p := range m.Parameters() {
		want, got := p.Data(), l.Parameters()[i].Data()
		for j := range want {
			if d := float64(got[j] - want[j]); d > 1e-2*float64(abs32(want[j]))+1e-30 || -d > 1e-2*float64(abs32(want[j]))+1e-30 {
				t.Fatalf("%s[%d] = %g, want %g (BF16)", p.Name(), j, got[j], want[j])
			}
		}
	}
}

func abs32(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
