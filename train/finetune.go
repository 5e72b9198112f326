package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/transformer"
)

// SmallModelLR is the default learning rate of full fine-tuning for models
// with a hidden size below 512 (see Config.LR).
const SmallModelLR = 3e-4

// FineTune trains base's model on task with cfg.Method (full, did or said)
// and returns the scores of the best dev evaluation. It first resets the
// model to theta_0 (Base.Reset), so it can be called many times on one Base;
// afterwards the model holds the best weights. The model must have a
// classifier head with task.NumLabels outputs (see ForTask).
//
// With cfg.Out it writes config.json, metrics.jsonl, best/ and final/ (an
// HF model directory for full fine-tuning, an adapter for did/said),
// result.json and resumable checkpoints in ckpt/. A NaN or infinite loss or
// gradient returns a *DivergedError (with Result.Diverged set); a cancelled
// ctx returns an *InterruptedError after saving a checkpoint.
func FineTune(ctx context.Context, b *Base, task *data.Task, cfg Config) (Result, error) {
	nan := math.NaN()
	res := Result{DevScore: nan, TestScore: nan, TrainScore: nan}
	if cfg.Method == "" {
		cfg.Method = MethodFull
	}
	if cfg.LR == 0 && cfg.Method == MethodFull && b.Model.Config.HiddenSize < 512 {
		cfg.LR = SmallModelLR
	}
	cfg, err := cfg.Resolve()
	if err != nil {
		return res, err
	}
	if cfg.Method == MethodMLM {
		return res, fmt.Errorf("train: FineTune: method mlm is pre-training; use Pretrain")
	}
	m := b.Model
	if m.Heads&transformer.HeadClassifier == 0 || m.Config.NumLabels != task.NumLabels {
		return res, fmt.Errorf("train: task %s has %d labels but the model has heads %v with %d labels (build it with train.ForTask)",
			task.Name, task.NumLabels, m.Heads, m.Config.NumLabels)
	}
	if len(task.Train) == 0 || !labelled(task.Dev) {
		return res, fmt.Errorf("train: task %s needs a training split and a labelled dev split", task.Name)
	}
	if err := b.Reset(); err != nil {
		return res, err
	}
	restore := setDropout(m, cfg)
	defer restore()

	trainItems, err := b.encode(task.Train, cfg.MaxLen)
	if err != nil {
		return res, fmt.Errorf("train: tokenize %s train: %w", task.Name, err)
	}
	devItems, err := b.encode(task.Dev, cfg.MaxLen)
	if err != nil {
		return res, fmt.Errorf("train: tokenize %s dev: %w", task.Name, err)
	}
	pad := int32(b.Tokenizer.PAD())
	bt, err := data.NewBatcher(trainItems, data.BatchConfig{BatchSize: cfg.BatchSize, PadID: pad, Shuffle: true, Seed: mix(cfg.Seed, 0xB7)})
	if err != nil {
		return res, err
	}
	r := &run{cfg: cfg, model: m, train: bt, higherBetter: true}
	r.res = res
	r.res.Method, r.res.Metric, r.res.Out = cfg.Method, task.Metric, cfg.Out
	r.total = totalSteps(cfg, bt.NumBatches())

	full := cfg.Method == MethodFull
	if full {
		n := int64(m.NumParams())
		r.res.Counts = subspace.Counts{Trainable: int(n), Wrapped: n, All: n}
		for _, p := range m.Parameters() {
			p.SetRequiresGrad(true)
		}
		if err := r.setup(m.Parameters(), true); err != nil {
			return r.res, err
		}
		r.saveOut = func(dir string) error {
			if err := m.Save(dir); err != nil {
				return err
			}
			return b.Tokenizer.Save(dir)
		}
	} else {
		meth, _ := subspace.ParseMethod(cfg.Method)
		kind, err := subspace.ParseKind(cfg.Projector)
		if err != nil {
			return r.res, fmt.Errorf("train: %w", err)
		}
		lambdaInit := subspace.LambdaOne
		if cfg.LambdaInit != "" {
			if lambdaInit, err = subspace.ParseLambdaInit(cfg.LambdaInit); err != nil {
				return r.res, fmt.Errorf("train: %w", err)
			}
		}
		w, err := subspace.Wrap(subspace.Config{Method: meth, Kind: kind, D: cfg.D, Seed: cfg.SubspaceSeed, LambdaInit: lambdaInit}, m.Parameters())
		if err != nil {
			return r.res, fmt.Errorf("train: subspace: %w", err)
		}
		r.w = w
		r.res.D, r.res.Counts = cfg.D, w.Counts()
		if err := r.setup([]*autograd.Tensor{w.Param()}, false); err != nil {
			return r.res, err
		}
		r.saveOut = func(dir string) error { return w.SaveAdapter(dir, b.Hash) }
	}
	defer r.opt.Release()
	r.res.Trainable, r.res.AllParams = r.res.Counts.Trainable, r.res.Counts.All
	r.loss = func(bb *data.Batch, _ uint64) (*autograd.Tensor, error) {
		// Classify runs the last layer on the <s> rows only (the head reads
		// nothing else): the same logits and gradients for less work.
		logits, err := m.Classify(transformer.Batch{B: bb.B, T: bb.S, InputIDs: bb.IDs, Attention: bb.Mask})
		if err != nil {
			return nil, err
		}
		if task.Regression() {
			return transformer.RegressionLoss(logits, bb.Scores)
		}
		return transformer.ClassificationLoss(logits, bb.Labels)
	}
	r.evaluate = func() (float64, data.Scores, error) {
		s, err := evalItems(m, pad, cfg.EvalBatch, task, task.Dev, devItems)
		if err != nil {
			return 0, nil, err
		}
		return s.Main(task), s, nil
	}
	if err := r.open(); err != nil {
		return r.res, err
	}
	defer r.metrics.close()
	r.prog.printf("%s on %s: %s\n", cfg.Method, task.Name, r.res.Counts)
	err = r.loop(ctx)
	r.finish()
	if err != nil {
		var de *DivergedError
		if errors.As(err, &de) {
			r.writeResult()
		}
		return r.res, err
	}
	if cfg.Out != "" {
		if err := r.saveOut(filepath.Join(cfg.Out, "final")); err != nil {
			return r.res, err
		}
	}
	if err := r.restoreBest(); err != nil {
		return r.res, err
	}
	if labelled(task.Test) {
		items, err := b.encode(task.Test, cfg.MaxLen)
		if err != nil {
			return r.res, err
		}
		s, err := evalItems(m, pad, cfg.EvalBatch, task, task.Test, items)
		if err != nil {
			return r.res, err
		}
		r.res.TestScore, r.res.TestScores = s.Main(task), s
	}
	if cfg.EvalTrain {
		s, err := evalItems(m, pad, cfg.EvalBatch, task, task.Train, trainItems)
		if err != nil {
			return r.res, err
		}
		r.res.TrainScore = s.Main(task)
	}
	r.writeResult()
	r.prog.printf("%s on %s: best dev %s %.4f at step %d, test %.4f (%d steps, %.1fs)\n", cfg.Method, task.Name,
		task.Metric, r.res.DevScore, r.res.BestStep, r.res.TestScore, r.res.Steps, r.res.Seconds)
	return r.res, nil
}

// open creates the run directory (config.json, metrics.jsonl), resumes from
// its checkpoint when asked, and sets up the progress display.
func (r *run) open() error {
	r.prog = newProgress(r.cfg.Progress, r.cfg.LogEvery)
	r.metrics = &metricsLog{}
	if r.cfg.Out == "" {
		if r.cfg.Resume {
			return fmt.Errorf("train: resume needs a run directory (Out)")
		}
		return nil
	}
	if err := os.MkdirAll(r.cfg.Out, 0o755); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	keep := -1
	if r.cfg.Resume {
		ok, err := r.resume()
		if err != nil {
			return err
		}
		if ok {
			keep = r.step
			r.prog.printf("resumed from step %d of %d\n", r.step, r.total)
		} else {
			r.prog.printf("nothing to resume in %s: starting from step 0\n", r.cfg.Out)
			keep = 0
		}
	} else {
		os.RemoveAll(filepath.Join(r.cfg.Out, "ckpt"))
		os.Remove(filepath.Join(r.cfg.Out, "metrics.jsonl"))
	}
	if err := writeJSONFile(filepath.Join(r.cfg.Out, "config.json"), r.cfg.JSON()); err != nil {
		return fmt.Errorf("train: config: %w", err)
	}
	m, err := openMetrics(filepath.Join(r.cfg.Out, "metrics.jsonl"), keep)
	if err != nil {
		return err
	}
	r.metrics = m
	return nil
}

func (r *run) writeResult() {
	if r.cfg.Out == "" {
		return
	}
	b, _ := json.MarshalIndent(jsonSafe(r.res), "", "  ")
	writeJSONFile(filepath.Join(r.cfg.Out, "result.json"), append(b, '\n'))
}

// jsonSafe turns the result into a map with NaN scores as null.
func jsonSafe(res Result) map[string]any {
	b, _ := json.Marshal(struct {
		Result
		DevScore   any `json:"dev_score"`
		TestScore  any `json:"test_score"`
		TrainScore any `json:"train_score"`
		FinalLoss  any `json:"final_loss"`
	}{res, num(res.DevScore), num(res.TestScore), num(res.TrainScore), num(res.FinalLoss)})
	var m map[string]any
	json.Unmarshal(b, &m)
	m["params_line"] = res.Counts.String()
	return m
}

func num(v float64) any {
	if !finite(v) {
		return nil
	}
	return v
}

// setDropout applies cfg's dropout override and returns the undo.
func setDropout(m *transformer.Model, cfg Config) func() {
	h, a := m.Config.HiddenDropoutProb, m.Config.AttentionProbsDropoutProb
	switch {
	case cfg.NoDropout:
		m.Config.HiddenDropoutProb, m.Config.AttentionProbsDropoutProb = 0, 0
	case cfg.Dropout > 0:
		m.Config.HiddenDropoutProb, m.Config.AttentionProbsDropoutProb = cfg.Dropout, cfg.Dropout
	}
	return func() { m.Config.HiddenDropoutProb, m.Config.AttentionProbsDropoutProb = h, a }
}
