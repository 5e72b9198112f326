package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/idim-go/idim/checkpoint"
	"github.com/idim-go/idim/tokenizer"
)

// ckptState is ckpt/step-N/state.json: the loop's counters, written last so
// that a directory with it is complete.
type ckptState struct {
	Format    string             `json:"format"` // "idim-train-checkpoint"
	Version   int                `json:"version"`
	Step      int                `json:"step"`
	Epoch     int                `json:"epoch"` // data position: the batch Next serves next
	Index     int                `json:"index"`
	Tokens    int64              `json:"tokens"`
	BestScore float64            `json:"best_score"`
	BestStep  int                `json:"best_step"`
	HaveBest  bool               `json:"have_best"`
	BestAll   map[string]float64 `json:"best_scores,omitempty"`
	Bad       int                `json:"evals_without_improvement"`
	LastLoss  float64            `json:"last_loss"`
	Elapsed   float64            `json:"elapsed_s"`
	Config    json.RawMessage    `json:"config"`
}

const ckptFormat = "idim-train-checkpoint"

func writeAtomic(path string, b []byte) error { return tokenizer.WriteFileAtomic(path, b) }

func tensorsOf(names []string, vals [][]float32, shapes [][]int) []checkpoint.Tensor {
	out := make([]checkpoint.Tensor, len(names))
	for i := range names {
		out[i] = checkpoint.Tensor{Name: names[i], Shape: shapes[i], Data: vals[i]}
	}
	return out
}

func (r *run) stateTensors(vals [][]float32) []checkpoint.Tensor {
	names := make([]string, len(r.state))
	shapes := make([][]int, len(r.state))
	for i, t := range r.state {
		names[i], shapes[i] = t.Name(), t.Shape()
	}
	return tensorsOf(names, vals, shapes)
}

// checkpoint writes ckpt/step-N (parameters, best parameters, optimizer
// state, counters), points ckpt/latest at it and removes older ones.
func (r *run) checkpoint() error {
	root := filepath.Join(r.cfg.Out, "ckpt")
	name := fmt.Sprintf("step-%08d", r.step)
	dir := filepath.Join(root, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := checkpoint.Write(filepath.Join(dir, "params.safetensors"), r.stateTensors(snapshot(r.state, nil)), nil); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if r.bestSnap != nil {
		if err := checkpoint.Write(filepath.Join(dir, "best.safetensors"), r.stateTensors(r.bestSnap), nil); err != nil {
			return fmt.Errorf("train: checkpoint: %w", err)
		}
	}
	if err := r.opt.Save(filepath.Join(dir, "optim.safetensors")); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	ep, ix := r.train.Position()
	st := ckptState{Format: ckptFormat, Version: 1, Step: r.step, Epoch: ep, Index: ix, Tokens: r.tokens,
		BestScore: r.bestScore, BestStep: r.bestStep, HaveBest: r.haveBest, BestAll: r.bestScores, Bad: r.bad,
		LastLoss: r.lastLoss, Elapsed: r.elapsed + timeSince(r.start), Config: r.cfg.JSON()}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "state.json"), b); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	if err := writeAtomic(filepath.Join(root, "latest"), []byte(name+"\n")); err != nil {
		return fmt.Errorf("train: checkpoint: %w", err)
	}
	r.metrics.sync()
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		if e.IsDir() && strings.HasPrefix(e.Name(), "step-") && e.Name() != name {
			os.RemoveAll(filepath.Join(root, e.Name()))
		}
	}
	return nil
}

// resume loads the latest checkpoint in Out/ckpt, if any, and reports
// whether it found one.
func (r *run) resume() (bool, error) {
	root := filepath.Join(r.cfg.Out, "ckpt")
	latest, err := os.ReadFile(filepath.Join(root, "latest"))
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	dir := filepath.Join(root, strings.TrimSpace(string(latest)))
	raw, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	var st ckptState
	if err := json.Unmarshal(raw, &st); err != nil || st.Format != ckptFormat {
		return false, fmt.Errorf("train: resume: %s: not an idim training checkpoint state (%v)", filepath.Join(dir, "state.json"), err)
	}
	if diff := configDiff(st.Config, r.cfg.JSON()); diff != "" {
		return false, fmt.Errorf("train: resume: the run's config differs from the checkpoint's in %s: %s", dir, diff)
	}
	load := func(file string) ([][]float32, error) {
		f, err := checkpoint.Open(filepath.Join(dir, file))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		vals := make([][]float32, len(r.state))
		for i, t := range r.state {
			vals[i] = make([]float32, t.Len())
			if err := f.ReadInto(t.Name(), vals[i]); err != nil {
				return nil, fmt.Errorf("%s: %w", file, err)
			}
		}
		return vals, nil
	}
	vals, err := load("params.safetensors")
	if err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	if st.HaveBest {
		if r.bestSnap, err = load("best.safetensors"); err != nil {
			return false, fmt.Errorf("train: resume: %w", err)
		}
	}
	if err := r.opt.Load(filepath.Join(dir, "optim.safetensors")); err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	for i, t := range r.state {
		if err := t.SetData(vals[i]); err != nil {
			return false, fmt.Errorf("train: resume: %s: %w", t.Name(), err)
		}
	}
	if err := r.train.Seek(st.Epoch, st.Index); err != nil {
		return false, fmt.Errorf("train: resume: %w", err)
	}
	r.step, r.tokens, r.lastLoss, r.elapsed = st.Step, st.Tokens, st.LastLoss, st.Elapsed
	r.bestScore, r.bestStep, r.haveBest, r.bestScores, r.bad = st.BestScore, st.BestStep, st.HaveBest, st.BestAll, st.Bad
	return true, nil
}

// configDiff names the fields in which two config JSONs differ.
func configDiff(a, b []byte) string {
	var ma, mb map[string]any
	if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
		if bytes.Equal(a, b) {
			return ""
		}
		return "(unreadable config)"
	}
	keys := map[string]bool{}
	for k := range ma {
		keys[k] = true
	}
	for k := range mb {
		keys[k] = true
	}
	var diffs []string
	for k := range keys {
		if k == "threads" || k == "out" || k == "log_every" || k == "checkpoint_every" {
			continue
		}
		if fmt.Sprint(ma[k]) != fmt.Sprint(mb[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: %v in the checkpoint, %v now", k, ma[k], mb[k]))
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, "; ")
}
