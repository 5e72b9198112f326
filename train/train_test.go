package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

func TestConfigResolve(t *testing.T) {
	c, err := Config{}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != MethodFull || c.LR != 2e-5 || c.BatchSize != 32 || c.MaxLen != 128 || c.WarmupFrac != 0.06 {
		t.Errorf("defaults: %+v", c)
	}
	// SAID: size-scaled lambdas, lr 1e-2, 10 epochs; DID keeps 1e-3, 5
	// epochs and has no lambda init.
	said, err := Config{Method: "SAID", D: 10}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if said.LambdaInit != "size" || said.LR != 1e-2 || said.Epochs != 10 {
		t.Errorf("said defaults: lambda_init %q, lr %g, epochs %g", said.LambdaInit, said.LR, said.Epochs)
	}
	if one, err := (Config{Method: "said", D: 10, LambdaInit: "One"}).Resolve(); err != nil || one.LambdaInit != "one" {
		t.Errorf("said with lambda_init One: %q, %v", one.LambdaInit, err)
	}
	did, err := Config{Method: "did", D: 10}.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if did.LambdaInit != "" || did.LR != 1e-3 || did.Epochs != 5 {
		t.Errorf("did defaults: lambda_init %q, lr %g, epochs %g", did.LambdaInit, did.LR, did.Epochs)
	}
	if c.WeightDecay != 0.01 {
		t.Errorf("full: weight decay %g, want the default 0.01", c.WeightDecay)
	}
	if off, err := (Config{NoWeightDecay: true}).Resolve(); err != nil || off.WeightDecay != 0 {
		t.Errorf("NoWeightDecay: weight decay %g, %v", off.WeightDecay, err)
	}
	for _, bad := range []Config{
		{SnapshotSteps: []int{3}}, {Out: "x", SnapshotSteps: []int{0}},
		{Method: "said", D: 10, LambdaInit: "half"},
		{Method: "lora"}, {Method: "did"}, {Method: "said", D: 10, Projector: "gauss"},
		{LR: -1}, {BatchSize: -2}, {Schedule: "step"}, {WarmupFrac: 1.5}, {Dropout: 2},
	} {
		if _, err := bad.Resolve(); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// TestFullFineTuneBeatsMajority fine-tunes the shipped default model fully
// on sentiment and checks the dev accuracy against the majority baseline.
func TestFullFineTuneBeatsMajority(t *testing.T) {
	shippedTokenizer(t)
	dir, err := models.Dir(models.Default)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := transformer.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	tok := shippedTokenizer(t)
	task, err := data.Load("sentiment", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	steps := 150
	if testing.Short() {
		steps = 80
	}
	m, err = ForTask(m, task.NumLabels, 1)
	if err != nil {
		t.Fatal(err)
	}
	base, err := NewBase(m, tok)
	if err != nil {
		t.Fatal(err)
	}
	res, err := FineTune(context.Background(), base, task, Config{Method: MethodFull, LR: 3e-4, MaxSteps: steps,
		BatchSize: 16, MaxLen: 64, EvalEvery: steps / 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, maj, err := task.Majority(task.Dev)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("full, %d steps, seed 1: dev accuracy %.4f (majority %.4f), test %.4f", steps, res.DevScore, maj.Main(task), res.TestScore)
	if !(res.DevScore > maj.Main(task)+0.05) {
		t.Errorf("dev accuracy %.4f does not beat the majority baseline %.4f by 0.05", res.DevScore, maj.Main(task))
	}
	if res.Trainable != m.NumParams() || res.AllParams != int64(m.NumParams()) {
		t.Errorf("counts %d/%d, model has %d", res.Trainable, res.AllParams, m.NumParams())
	}
}

// TestBaseReuse runs two subspace runs and a full run on one Base: the
// model is reset between runs, so repeating a run repeats its result bit
// for bit, and Reset restores theta_0 exactly.
func TestBaseReuse(t *testing.T) {
	tok := shippedTokenizer(t)
	task := smallTask(t, 96, 48)
	base, err := NewBase(smallModel(t, tok, 2, 3), tok)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Method: MethodSAID, D: 64, LR: 1e-2, MaxSteps: 6, BatchSize: 16, MaxLen: 48, Seed: 5}
	a, err := FineTune(context.Background(), base, task, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FineTune(context.Background(), base, task, Config{Method: MethodFull, LR: 1e-3, MaxSteps: 4, BatchSize: 16, MaxLen: 48, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	b, err := FineTune(context.Background(), base, task, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.DevScore != b.DevScore || a.FinalLoss != b.FinalLoss || a.Trainable != 64 {
		t.Errorf("repeated run: dev %v vs %v, final loss %v vs %v, trainable %d", a.DevScore, b.DevScore, a.FinalLoss, b.FinalLoss, a.Trainable)
	}
	if err := base.Reset(); err != nil {
		t.Fatal(err)
	}
	for _, p := range base.Model.Parameters() {
		got, want := p.Data(), base.Theta0(p.Name())
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s[%d] = %v after Reset, theta_0 %v", p.Name(), i, got[i], want[i])
			}
		}
	}
}

func TestNaNIsReported(t *testing.T) {
	tok := shippedTokenizer(t)
	task := smallTask(t, 64, 32)
	m := smallModel(t, tok, 2, 1)
	w := m.Parameter("roberta.embeddings.LayerNorm.weight")
	v := w.Data()
	v[3] = float32(math.NaN())
	w.SetData(v)
	base, err := NewBase(m, tok)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	for _, method := range []string{MethodFull, MethodDID} {
		res, err := FineTune(context.Background(), base, task, Config{Method: method, D: 16, MaxSteps: 5, BatchSize: 8, MaxLen: 32, Out: out})
		var de *DivergedError
		if !errors.As(err, &de) {
			t.Fatalf("%s: error %v, want a *DivergedError", method, err)
		}
		if de.Step != 1 || de.Quantity != "loss" || !math.IsNaN(de.Value) || !res.Diverged || res.Stopped != "diverged" {
			t.Errorf("%s: %+v, result diverged=%v stopped=%q", method, de, res.Diverged, res.Stopped)
		}
		if !strings.Contains(err.Error(), "step 1") || !strings.Contains(err.Error(), "loss is NaN") {
			t.Errorf("message %q", err)
		}
	}
	if !strings.Contains(string(readFile(t, out, "metrics.jsonl")), `"kind":"error"`) {
		t.Error("metrics.jsonl has no error line")
	}
}

// runConfig is the run that the resume tests interrupt.
func runConfig(out string) Config {
	return Config{Method: MethodFull, LR: 1e-3, MaxSteps: 24, BatchSize: 8, MaxLen: 40, EvalEvery: 8,
		CheckpointEvery: 4, Seed: 11, Out: out}
}

const childEnv = "IDIM_TRAIN_RESUME_CHILD"

// TestResumeChild is the process that TestKillResume kills: it trains
// slowly enough to be caught mid-run.
func TestResumeChild(t *testing.T) {
	out := os.Getenv(childEnv)
	if out == "" {
		t.Skip("only run as TestKillResume's child")
	}
	tok := shippedTokenizer(t)
	base, err := NewBase(smallModel(t, tok, 2, 2), tok)
	if err != nil {
		t.Fatal(err)
	}
	cfg := runConfig(out)
	cfg.Resume = os.Getenv(childEnv+"_RESUME") != ""
	if _, err := FineTune(context.Background(), base, smallTask(t, 200, 32), cfg); err != nil {
		t.Fatal(err)
	}
}

// TestKillResume kills a training process with SIGKILL after its first
// checkpoint, resumes it, and compares the final weights with an
// uninterrupted run's: they must be bit-identical.
func TestKillResume(t *testing.T) {
	tok := shippedTokenizer(t)
	ref := t.TempDir()
	base, err := NewBase(smallModel(t, tok, 2, 2), tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FineTune(context.Background(), base, smallTask(t, 200, 32), runConfig(ref)); err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestResumeChild$")
	cmd.Env = append(os.Environ(), childEnv+"="+out)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(filepath.Join(out, "ckpt", "latest")); err == nil && len(b) > 0 {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the child wrote no checkpoint in 60 s")
	}
	if _, err := os.Stat(filepath.Join(out, "final")); err == nil {
		t.Skip("the child finished before it was killed")
	}
	st := readFile(t, out, "ckpt", "latest")
	t.Logf("killed after checkpoint %s", strings.TrimSpace(string(st)))

	cfg := runConfig(out)
	cfg.Resume = true
	base2, err := NewBase(smallModel(t, tok, 2, 2), tok)
	if err != nil {
		t.Fatal(err)
	}
	res, err := FineTune(context.Background(), base2, smallTask(t, 200, 32), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 24 {
		t.Errorf("resumed run made %d steps", res.Steps)
	}
	sameBits(t, "final weights", weights(t, filepath.Join(ref, "final")), weights(t, filepath.Join(out, "final")))
	sameBits(t, "best weights", weights(t, filepath.Join(ref, "best")), weights(t, filepath.Join(out, "best")))
	// The metrics of the resumed run hold each step once.
	lines := strings.Split(strings.TrimSpace(string(readFile(t, out, "metrics.jsonl"))), "\n")
	refLines := strings.Split(strings.TrimSpace(string(readFile(t, ref, "metrics.jsonl"))), "\n")
	if len(lines) != len(refLines) {
		t.Errorf("metrics.jsonl: %d lines after resume, %d uninterrupted", len(lines), len(refLines))
	}
}

// TestCancelResumeSubspace cancels a SAID run (as SIGINT does in the CLI)
// and resumes it: the adapter equals an uninterrupted run's bit for bit.
func TestCancelResumeSubspace(t *testing.T) {
	tok := shippedTokenizer(t)
	task := smallTask(t, 120, 32)
	base, err := NewBase(smallModel(t, tok, 2, 4), tok)
	if err != nil {
		t.Fatal(err)
	}
	cfg := func(out string) Config {
		return Config{Method: MethodSAID, D: 48, Projector: "fastfood", LR: 2e-2, MaxSteps: 12, BatchSize: 8, MaxLen: 40,
			EvalEvery: 4, Seed: 3, Out: out}
	}
	ref := t.TempDir()
	want, err := FineTune(context.Background(), base, task, cfg(ref))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	c := cfg(out)
	c.Progress = &cancelAt{after: "step 6/", cancel: cancel}
	c.LogEvery = 1
	_, err = FineTune(ctx, base, task, c)
	var ie *InterruptedError
	if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Checkpoint == "" {
		t.Fatalf("cancelled run: %v", err)
	}
	if ie.Step < 6 || ie.Step >= 12 {
		t.Fatalf("stopped after step %d", ie.Step)
	}
	c = cfg(out)
	c.Resume = true
	got, err := FineTune(context.Background(), base, task, c)
	if err != nil {
		t.Fatal(err)
	}
	sameBits(t, "adapter", weights(t, filepath.Join(ref, "final", "adapter.safetensors")), weights(t, filepath.Join(out, "final", "adapter.safetensors")))
	// The default lambda init (size) is in config.json and the adapter.
	if !strings.Contains(string(readFile(t, ref, "config.json")), `"lambda_init": "size"`) {
		t.Error("config.json lacks lambda_init size")
	}
	if a, err := subspace.ReadAdapter(filepath.Join(ref, "final")); err != nil || a.Config.LambdaInit != "size" {
		t.Errorf("adapter lambda_init: %v", err)
	}
	if got.DevScore != want.DevScore || got.BestStep != want.BestStep {
		t.Errorf("resumed: dev %v at %d, uninterrupted %v at %d", got.DevScore, got.BestStep, want.DevScore, want.BestStep)
	}
	// A different config does not resume silently.
	c.LR = 1e-3
	if _, err := FineTune(context.Background(), base, task, c); err == nil || !strings.Contains(err.Error(), "lr") {
		t.Errorf("resume with another lr: %v", err)
	}
}

// cancelAt cancels when the progress output contains a marker.
type cancelAt struct {
	after  string
	cancel func()
	buf    strings.Builder
}

func (c *cancelAt) Write(p []byte) (int, error) {
	c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.after) {
		c.cancel()
	}
	return len(p), nil
}

func TestPretrainLearns(t *testing.T) {
	tok := shippedTokenizer(t)
	c := transformer.DefaultConfig()
	c.VocabSize = tok.VocabSize()
	c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 32, 1, 2, 64
	c.MaxPositionEmbeddings = 34
	m, err := transformer.New(c, 1, transformer.WithHeads(transformer.HeadMLM))
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for i := 0; i < 200; i++ {
		docs = append(docs, "the whale swam in the sea and the ship sailed after the whale .", "it is a truth universally acknowledged that a single man must be in want of a wife .")
	}
	out := t.TempDir()
	res, err := Pretrain(context.Background(), m, tok, docs, Config{LR: 3e-3, MaxSteps: 30, BatchSize: 16, MaxLen: 32, EvalEvery: 10, Seed: 1, HeldOutFrac: 0.05, Out: out,
		SnapshotSteps: []int{5, 30}})
	if err != nil {
		t.Fatal(err)
	}
	// Snapshots: loadable model directories; the last equals final/, an
	// early one does not.
	final := weights(t, filepath.Join(out, "final"))
	for _, step := range []int{5, 30} {
		dir := filepath.Join(out, "snapshots", fmt.Sprintf("step-%d", step))
		if _, err := tokenizer.LoadDir(dir); err != nil {
			t.Fatalf("snapshot %d: %v", step, err)
		}
		same := true
		for k, v := range weights(t, dir) {
			same = same && slices.Equal(v, final[k])
		}
		if same != (step == 30) {
			t.Errorf("snapshot at step %d equal to final: %v", step, same)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "snapshots", "step-10")); !os.IsNotExist(err) {
		t.Errorf("a snapshot nobody asked for: %v", err)
	}
	first := strings.Split(string(readFile(t, out, "metrics.jsonl")), "\n")[0]
	t.Logf("perplexity %.2f after %d steps (%d tokens); first line %s", res.DevScore, res.Steps, res.Tokens, first)
	if !(res.DevScore < float64(tok.VocabSize())/4) || res.Metric != "perplexity" {
		t.Errorf("held-out perplexity %v", res.DevScore)
	}
	if _, err := tokenizer.LoadDir(filepath.Join(out, "final")); err != nil {
		t.Error(err)
	}
	if _, _, err := transformer.Load(filepath.Join(out, "final")); err != nil {
		t.Error(err)
	}
	if !strings.Contains(string(readFile(t, out, "config.json")), `"method": "mlm"`) {
		t.Error("config.json lacks the method")
	}
}

// TestGradAccum: two accumulated micro-batches of 8 make the same update as
// one batch of 16 holding the same rows (dropout off; only the padding and
// the order of float32 sums differ).
func TestGradAccum(t *testing.T) {
	tok := shippedTokenizer(t)
	task := smallTask(t, 64, 16)
	run := func(batch, accum int) (map[string][]float32, float64) {
		base, err := NewBase(smallModel(t, tok, 2, 9), tok)
		if err != nil {
			t.Fatal(err)
		}
		out := t.TempDir()
		res, err := FineTune(context.Background(), base, task, Config{Method: MethodFull, LR: 1e-3, MaxSteps: 3, BatchSize: batch,
			GradAccum: accum, MaxLen: 40, Seed: 2, NoDropout: true, ClipNorm: -1, Out: out, LogEvery: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Steps != 3 {
			t.Fatalf("%d steps", res.Steps)
		}
		var first struct {
			GradNorm float64 `json:"grad_norm"`
		}
		line, _, _ := strings.Cut(string(readFile(t, out, "metrics.jsonl")), "\n")
		if err := json.Unmarshal([]byte(line), &first); err != nil || first.GradNorm <= 0 {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		return weights(t, filepath.Join(out, "final")), first.GradNorm
	}
	a, ga := run(16, 1)
	b, gb := run(8, 2)
	// Adam hides a wrong gradient scale from the weights; the norm shows it.
	if math.Abs(ga-gb) > 1e-4*ga {
		t.Errorf("gradient norm of the first update: %v with one batch of 16, %v with 2 x 8 accumulated", ga, gb)
	}
	for n, va := range a {
		vb := b[n]
		for i := range va {
			if d := math.Abs(float64(va[i] - vb[i])); d > 2e-5+1e-4*math.Abs(float64(va[i])) {
				t.Fatalf("%s[%d]: %v with one batch of 16, %v with 2 x 8 accumulated", n, i, va[i], vb[i])
			}
		}
	}
}
