package bench

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/train"
	"github.com/idim-go/idim/transformer"
)

// tinyRunner is a random 1-layer RoBERTa over a 300-token BPE vocabulary
// learnt from the task, on sentiment cut to 160/60/60 examples.
func tinyRunner(t *testing.T) *TrainRunner {
	task, err := data.Load("sentiment", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	task.Train, task.Dev, task.Test = task.Train[:160], task.Dev[:60], task.Test[:60]
	var texts []string
	for _, e := range task.Train {
		texts = append(texts, e.Text)
	}
	tok, err := tokenizer.TrainTexts(texts, tokenizer.TrainOptions{VocabSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	c := transformer.DefaultConfig()
	c.VocabSize = tok.VocabSize()
	c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 16, 1, 2, 32
	c.MaxPositionEmbeddings = 66
	c.NumLabels = task.NumLabels
	m, err := transformer.New(c, 7, transformer.WithHeads(transformer.HeadClassifier))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewTrainRunner(m, tok, "random-7", "tiny-random", task, 1)
	if err != nil {
		t.Fatal(err)
	}
	r.Full = train.Config{Method: train.MethodFull, MaxSteps: 6, BatchSize: 32, MaxLen: 64}
	r.Sub = train.Config{Method: train.MethodDID, MaxSteps: 6, BatchSize: 32, MaxLen: 64}
	r.EvalTrain = true
	return r
}

// TestTrainRunnerSweep runs a small real sweep (DID, Fastfood) with package
// train and checks what it records; a second sweep resumes with no run.
func TestTrainRunnerSweep(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	r := tinyRunner(t)
	dir := t.TempDir()
	c := Config{Method: "did", Projector: "fastfood", Grid: []int{20, 400}, LRs: []float64{0.01}, BaselineLR: 1e-3,
		Seeds: []uint64{1}, Resolution: Resolution{Ratio: 4}, MaxBisect: 1, Dir: dir}
	res, err := Sweep(context.Background(), r, c)
	if err != nil {
		t.Fatal(err)
	}
	recs, warn, err := ReadRecords(filepath.Join(dir, "results.jsonl"))
	if err != nil || len(warn) > 0 {
		t.Fatal(err, warn)
	}
	if len(recs) < 3 {
		t.Fatalf("%d records", len(recs))
	}
	all := int64(r.Base.Model.NumParams())
	for _, rec := range recs {
		if rec.Failed {
			t.Errorf("%s failed: %s", rec.Spec, rec.Error)
			continue
		}
		for _, s := range []Score{rec.Dev, rec.Test, rec.Train} {
			if v := float64(s); math.IsNaN(v) || v < 0 || v > 1 {
				t.Errorf("%s: score %v out of [0, 1]", rec.Spec, v)
			}
		}
		want := rec.Spec.D
		if rec.Spec.Kind == KindBaseline {
			want = int(all)
		}
		if rec.Trainable != want || rec.AllParams != all || rec.TrainSize != 160 || rec.Steps != 6 {
			t.Errorf("%s: trainable %d all %d train size %d steps %d; want %d %d 160 6", rec.Spec, rec.Trainable, rec.AllParams, rec.TrainSize, rec.Steps, want, all)
		}
	}
	if res.AllParams != all || math.IsNaN(float64(res.Baseline)) {
		t.Errorf("result: %+v", res)
	}
	// Resume: nothing to run. A different hyperparameter is a new key.
	before := len(recs)
	if _, err := Sweep(context.Background(), r, c); err != nil {
		t.Fatal(err)
	}
	recs, _, _ = ReadRecords(filepath.Join(dir, "results.jsonl"))
	if len(recs) != before {
		t.Errorf("resume added %d records", len(recs)-before)
	}
	sp := Spec{Kind: KindSubspace, Method: "did", Projector: "fastfood", D: 20, LR: 0.01, Seed: 1}
	k1 := Key(r.Identity(sp), sp)
	r.Sub.MaxSteps = 7
	if k2 := Key(r.Identity(sp), sp); k1 == k2 {
		t.Error("changing max_steps did not change the key")
	}
	bsp := Spec{Kind: KindBaseline, Method: "full", LR: 1e-3, Seed: 1}
	if kb := Key(r.Identity(bsp), bsp); kb != recs[0].Key {
		t.Error("changing the subspace template changed the baseline's key")
	}
	if r.MinD("said") != r.NumTensors()+1 || r.MinD("did") != 1 {
		t.Error("MinD")
	}
}
