package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

// cliArgsEnv makes the test binary act as the idim command (arguments
// separated by \x1f), so tests can signal a real CLI process.
const cliArgsEnv = "IDIM_TEST_CLI_ARGS"

func needModel(t *testing.T) {
	if !models.Has(models.Default) {
		t.Skipf("this build ships no %s model", models.Default)
	}
}

func TestMain(m *testing.M) {
	if a := os.Getenv(cliArgsEnv); a != "" {
		os.Args = append([]string{"idim"}, strings.Split(a, "\x1f")...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// capture runs f with os.Stdout redirected and returns what it printed.
func capture(t *testing.T, f func() error) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	ferr := f()
	w.Close()
	os.Stdout = old
	return string(<-done), ferr
}

type resultJSON struct {
	DevScore float64 `json:"dev_score"`
	Steps    int     `json:"steps"`
	Params   string  `json:"params_line"`
}

func readResult(t *testing.T, dir string) resultJSON {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r resultJSON
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// hfDir writes the default shipped model as an HF directory (config.json,
// model.safetensors, vocab.json, merges.txt) somewhere else.
func hfDir(t *testing.T) string {
	src, err := models.Dir(models.Default)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := transformer.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.LoadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "my-roberta")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := tok.Save(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFinetuneFromHFDir fine-tunes a model given by its directory path on
// sentiment and checks the dev accuracy against the majority baseline.
func TestFinetuneFromHFDir(t *testing.T) {
	needModel(t)
	dir := hfDir(t)
	out := t.TempDir()
	steps := "150"
	if testing.Short() {
		steps = "80"
	}
	stdout, err := capture(t, func() error {
		return runFinetune([]string{"--model", dir, "--task", "sentiment", "--method", "full", "--lr", "3e-4", "--max-steps", steps,
			"--batch", "16", "--max-len", "64", "--seed", "1", "--out", out, "--quiet"})
	})
	if err != nil {
		t.Fatal(err)
	}
	task, _ := data.Load("sentiment", data.Options{})
	_, maj, _ := task.Majority(task.Dev)
	res := readResult(t, out)
	t.Logf("%s", stdout)
	if !(res.DevScore > maj.Main(task)+0.05) {
		t.Errorf("dev accuracy %.4f does not beat the majority baseline %.4f by 0.05", res.DevScore, maj.Main(task))
	}
	if !strings.Contains(stdout, "trainable params: ") || !strings.Contains(stdout, "majority baseline") {
		t.Errorf("output lacks the params line or the baseline:\n%s", stdout)
	}
	var cfg map[string]any
	if err := json.Unmarshal(mustRead(t, filepath.Join(out, "config.json")), &cfg); err != nil || cfg["seed"] != 1.0 || cfg["method"] != "full" {
		t.Errorf("config.json: %v %v", cfg, err)
	}
	for _, f := range []string{"best/model.safetensors", "best/vocab.json", "final/config.json", "metrics.jsonl"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSubspaceAndEval trains a SAID adapter and scores it with idim eval:
// the dev accuracy eval prints is the one finetune recorded.
func TestSubspaceAndEval(t *testing.T) {
	needModel(t)
	out := t.TempDir()
	_, err := capture(t, func() error {
		return runFinetune([]string{"--task", "sentiment", "--method", "said", "--d", "200", "--lr", "5e-2", "--max-steps", "10",
			"--batch", "16", "--max-len", "48", "--seed", "7", "--out", out, "--quiet"})
	})
	if err != nil {
		t.Fatal(err)
	}
	res := readResult(t, out)
	if !strings.HasPrefix(res.Params, "trainable params: 200 || all params: ") {
		t.Errorf("params line %q", res.Params)
	}
	// SAID defaults to size-scaled lambdas, recorded in both configs.
	for _, f := range []string{"config.json", filepath.Join("best", "adapter_config.json")} {
		if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || !strings.Contains(string(b), `"lambda_init": "size"`) {
			t.Errorf("%s lacks lambda_init size (%v)", f, err)
		}
	}
	st, err := os.Stat(filepath.Join(out, "best", "adapter.safetensors"))
	if err != nil || st.Size() > 16<<10 {
		t.Fatalf("adapter: %v %v", st, err)
	}
	stdout, err := capture(t, func() error {
		return runEval([]string{"--task", "sentiment", "--adapter", filepath.Join(out, "best"), "--max-len", "48"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout, "sentiment dev (299 examples): accuracy "+fmtF(res.DevScore)) {
		t.Errorf("eval printed %q; finetune recorded dev accuracy %s", stdout, fmtF(res.DevScore))
	}
}

func fmtF(v float64) string { return fmt.Sprintf("%.4f", v) }

// TestCLIErrors: bad flags give errors that name the flag.
func TestCLIErrors(t *testing.T) {
	needModel(t)
	tiny := filepath.Join("..", "..", "transformer", "testdata", "tiny-roberta")
	cases := []struct {
		run  func([]string) error
		args []string
		want string
	}{
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--method", "lora"}, "--method"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--method", "said"}, "--d"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--d", "5"}, "--d"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--method", "said", "--d", "500", "--lambda-init", "half"}, "--lambda-init"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--method", "did", "--d", "5", "--lambda-init", "size"}, "--lambda-init"},
		{runFinetune, []string{"--task", "nosuch", "--out", t.TempDir()}, "nosuch"},
		{runFinetune, []string{"--task", "sentiment"}, "--out"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--model", "/no/such/model"}, "--model"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--model", tiny}, "--tokenizer"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--model", tiny, "--tokenizer", models.Default}, "do not belong together"},
		{runFinetune, []string{"--task", "glue:/nowhere", "--out", t.TempDir()}, "glue:DIR:TASK"},
		{runFinetune, []string{"--task", "sentiment", "--out", t.TempDir(), "--projector", "gauss", "--method", "did", "--d", "4"}, "projector"},
		{runFinetune, []string{"--bogus"}, "bogus"},
		{runEval, []string{"--task", "sentiment", "--split", "valid"}, "--split"},
		{runPretrain, []string{"--out", t.TempDir()}, "--tokenizer"},
		{runPretrain, []string{"--out", t.TempDir(), "--tokenizer", "x", "--size", "huge"}, "--size"},
		{runTrainTokenizer, []string{"--out", t.TempDir(), "--vocab", "100"}, "--vocab"},
		{runTrainTokenizer, []string{"--out", t.TempDir(), "--corpus", "bible"}, "bible"},
	}
	for _, c := range cases {
		_, err := capture(t, func() error {
			old := os.Stderr
			os.Stderr, _ = os.Open(os.DevNull)
			defer func() { os.Stderr = old }()
			return c.run(c.args)
		})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %q", c.args, err, c.want)
		}
	}
}

func TestTokenizeAndTrainTokenizer(t *testing.T) {
	needModel(t)
	stdout, err := capture(t, func() error { return runTokenize([]string{"--tokens", "Call me Ishmael."}) })
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "0 ") || !strings.HasSuffix(lines[0], " 2") || !strings.HasPrefix(lines[1], "<s> ") {
		t.Errorf("tokenize output %q", stdout)
	}
	text := filepath.Join(t.TempDir(), "text.txt")
	os.WriteFile(text, []byte(strings.Repeat("the cat sat on the mat.\n\nthe dog sat on the log.\n\n", 50)), 0o644)
	out := t.TempDir()
	if _, err := capture(t, func() error {
		return runTrainTokenizer([]string{"--out", out, "--vocab", "300", "--corpus", text, "--min-freq", "1"})
	}); err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() > 300 || tok.MASK() != tok.VocabSize()-1 || tok.PAD() != 1 {
		t.Errorf("trained tokenizer: %d ids, mask %d pad %d", tok.VocabSize(), tok.MASK(), tok.PAD())
	}
	if got := tok.Encode(" the cat"); len(got) != 2 {
		t.Errorf("\" the cat\" -> %v, want two merged tokens", got)
	}
}

// TestSIGINTSavesAndResumes interrupts a real CLI process with SIGINT after
// its first checkpoint: it exits 130 with a checkpoint, and --resume finishes
// the run with the same final weights as an uninterrupted one.
func TestSIGINTSavesAndResumes(t *testing.T) {
	needModel(t)
	args := func(out string) []string {
		return []string{"finetune", "--task", "sentiment", "--method", "full", "--lr", "1e-4", "--max-steps", "40", "--batch", "8",
			"--max-len", "48", "--eval-every", "10", "--checkpoint-every", "2", "--seed", "3", "--out", out}
	}
	out := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), cliArgsEnv+"="+strings.Join(args(out), "\x1f"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sent := false
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(out, "ckpt", "latest")); err == nil {
			cmd.Process.Signal(syscall.SIGINT)
			sent = true
			break
		}
	}
	err := cmd.Wait()
	if !sent {
		t.Fatalf("no checkpoint within 60 s; stderr:\n%s", stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		if _, serr := os.Stat(filepath.Join(out, "final")); serr == nil {
			t.Skip("the run finished before the signal arrived")
		}
		t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--resume") || !strings.Contains(stderr.String(), "checkpoint saved") {
		t.Errorf("stderr lacks the resume hint:\n%s", stderr.String())
	}
	if _, err := capture(t, func() error { return runFinetune(append(args(out)[1:], "--resume", "--quiet")) }); err != nil {
		t.Fatal(err)
	}
	ref := t.TempDir()
	if _, err := capture(t, func() error { return runFinetune(append(args(ref)[1:], "--quiet")) }); err != nil {
		t.Fatal(err)
	}
	a, b := mustRead(t, filepath.Join(out, "final", "model.safetensors")), mustRead(t, filepath.Join(ref, "final", "model.safetensors"))
	if !bytes.Equal(a, b) {
		t.Error("final weights of the interrupted and resumed run differ from the uninterrupted run's")
	}
	if r := readResult(t, out); r.Steps != 40 {
		t.Errorf("resumed run: %d steps", r.Steps)
	}
}
