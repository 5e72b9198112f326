package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/idim-go/idim/bench"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

// tinyModelDir writes a random 1-layer RoBERTa with a 300-token BPE
// vocabulary (learnt from the sentiment task) as an HF model directory.
func tinyModelDir(t *testing.T) string {
	t.Helper()
	task, err := data.Load("sentiment", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range task.Train[:300] {
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
	m, err := transformer.New(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tiny-random")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDemoQuickTinyModel runs `idim demo --quick` end to end on a random
// tiny model and checks the printed summary and the report files; a second
// run finds every run in results.jsonl.
func TestDemoQuickTinyModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	model := tinyModelDir(t)
	out := t.TempDir()
	args := []string{"--quick", "--quiet", "--model", model, "--out", out, "--cache", "off", "--max-steps", "3",
		"--baseline-max-steps", "3", "--d-max", "300", "--eval-every", "3"}
	stdout, err := capture(t, func() error { return runDemo(args) })
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| d |", "d90", "trainable params: ", "|| all params: ", "report: " + out, "demo took"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo output lacks %q:\n%s", want, stdout)
		}
	}
	for _, f := range []string{"results.jsonl", "d90.json", "table.md", "plot.png", "plot.svg"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	recs, _, _ := bench.ReadRecords(filepath.Join(out, "results.jsonl"))
	if len(recs) < 2 {
		t.Fatalf("%d records", len(recs))
	}
	if _, err := capture(t, func() error { return runDemo(args) }); err != nil {
		t.Fatal(err)
	}
	again, _, _ := bench.ReadRecords(filepath.Join(out, "results.jsonl"))
	if len(again) != len(recs) {
		t.Errorf("a second demo added %d runs", len(again)-len(recs))
	}
}

// TestSweepShardsCLI runs a two-shard sweep through the CLI, merges it and
// bisects in the merged directory.
func TestSweepShardsCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	model := tinyModelDir(t)
	dir, merged := t.TempDir(), t.TempDir()
	common := []string{"--quiet", "--model", model, "--method", "did", "--grid", "10,100,1000", "--lrs", "0.01",
		"--seeds", "1", "--baseline-lr", "1e-3", "--cache", "off", "--max-steps", "3", "--baseline-max-steps", "3", "--max-len", "32"}
	for _, sh := range []string{"0/2", "1/2"} {
		args := append(append([]string{}, common...), "--out", dir, "--shard", sh)
		if _, err := capture(t, func() error { return runSweep(args) }); err != nil {
			t.Fatal(err)
		}
	}
	a, _, _ := bench.ReadRecords(filepath.Join(dir, "results.shard-0-of-2.jsonl"))
	b, _, _ := bench.ReadRecords(filepath.Join(dir, "results.shard-1-of-2.jsonl"))
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("shards hold %d and %d records, want 2 and 2 (baseline + 3 d)", len(a), len(b))
	}
	stdout, err := capture(t, func() error { return runSweep([]string{"merge", "--out", merged, dir}) })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "4 records (0 duplicates, 0 conflicts)") {
		t.Errorf("merge output: %s", stdout)
	}
	args := append(append([]string{}, common...), "--out", merged)
	if _, err := capture(t, func() error { return runSweep(args) }); err != nil {
		t.Fatal(err)
	}
	all, _, _ := bench.ReadRecords(filepath.Join(merged, "results.jsonl"))
	for _, r := range all[:4] {
		if r.Phase == "bisect" {
			t.Errorf("merged grid record has phase bisect: %+v", r.Spec)
		}
	}
	for _, r := range all[4:] {
		if r.Phase != "bisect" {
			t.Errorf("phase 2 reran a grid point: %+v", r.Spec)
		}
	}
	if _, err := os.Stat(filepath.Join(merged, "d90.json")); err != nil {
		t.Error(err)
	}
}

func TestSweepFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--out", t.TempDir(), "--shard", "3/2", "--model", "nope-model"}, "nope-model"},
		{[]string{"--model", "x"}, "--out is required"},
		{[]string{"merge", "--out", t.TempDir()}, "at least one results file"},
		{[]string{"--out", t.TempDir(), "--lambda-init", "half"}, "--lambda-init"},
		{[]string{"--out", t.TempDir(), "--method", "did", "--lambda-init", "size"}, "--lambda-init"},
	} {
		err := runSweep(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("sweep %v: %v, want an error with %q", c.args, err, c.want)
		}
	}
	if err := runStudy([]string{"nosuch"}); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("study nosuch: %v", err)
	}
}

// TestSweepLRDefaults: without --lrs the grid of learning rates follows the
// method (SAID's size-scaled lambdas train at about 1e-2, DID at 1e-3), and
// an explicit --lrs wins.
func TestSweepLRDefaults(t *testing.T) {
	for _, c := range []struct {
		defaults sweepFlags
		args     []string
		want     []float64
	}{
		{sweepDefaults, nil, []float64{3e-3, 1e-2, 3e-2}},
		{sweepDefaults, []string{"--method", "did"}, []float64{3e-4, 1e-3, 3e-3}},
		{sweepDefaults, []string{"--method", "SAID", "--lrs", "0.5"}, []float64{0.5}},
		{demoDefaults, nil, []float64{3e-3, 1e-2}},
		{demoDefaults, []string{"--method", "did"}, []float64{3e-4, 1e-3, 3e-3}},
		{studyDefaults, nil, []float64{3e-3, 1e-2}},
		{studyDefaults, []string{"--method", "did"}, []float64{3e-4, 1e-3, 3e-3}},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		var f sweepFlags
		f.register(fs, c.defaults)
		if err := fs.Parse(append(c.args, "--cache", "off", "--out", t.TempDir())); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.config(100, nil)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if !slices.Equal(cfg.LRs, c.want) {
			t.Errorf("%s %v: lrs %v, want %v", c.defaults.method, c.args, cfg.LRs, c.want)
		}
	}
}

// TestStudyProtocolIsDemos: a study's sweep of the default model runs the
// demo's protocol, so the two d90s are comparable.
func TestStudyProtocolIsDemos(t *testing.T) {
	s, d := studyDefaults, demoDefaults
	s.out, d.out = "", ""
	if s != d {
		t.Errorf("study defaults %+v\ndemo defaults  %+v", s, d)
	}
}

// TestStudyGridKeepsDecades: a model whose SAID needs d > 100 (idim-base:
// 105 tensors) gets the same grid d as the smaller models from 316 on, so
// the study's tables compare them at equal d.
func TestStudyGridKeepsDecades(t *testing.T) {
	for _, c := range []struct {
		minD int
		want []int
	}{
		{42, []int{100, 316, 1000, 3162, 10000, 31623, 100000}},
		{106, []int{106, 316, 1000, 3162, 10000, 31623, 100000}},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		var f sweepFlags
		f.register(fs, studyDefaults)
		if err := fs.Parse([]string{"--cache", "off", "--out", t.TempDir()}); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.config(c.minD, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.Grid, c.want) {
			t.Errorf("min d %d: grid %v, want %v", c.minD, cfg.Grid, c.want)
		}
	}
}
