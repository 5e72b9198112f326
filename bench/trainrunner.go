package bench

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/idim-go/idim/checkpoint"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/train"
	"github.com/idim-go/idim/transformer"
)

// TrainRunner runs sweeps with package train: full fine-tuning for the
// baseline and DID/SAID fine-tuning for subspace runs, all in-process on
// one train.Base (theta_0 kept once, tokenized splits cached).
type TrainRunner struct {
	Base *train.Base
	Task *data.Task
	// ModelName and ModelHash (checkpoint.Hash of the weights) identify the
	// model in every key; HeadSeed initialised the classifier head.
	ModelName, ModelHash string
	HeadSeed             uint64
	// Full and Sub are the templates of baseline and subspace runs; a run
	// sets Method, Projector, D, LR and Seed. Their other fields are part
	// of the key.
	Full, Sub train.Config
	// EvalTrain also scores the training split (needed by the
	// generalization study).
	EvalTrain bool
	// Progress receives each run's own progress (nil: quiet).
	Progress io.Writer

	taskHash string
}

// LoadTrainRunner loads the HF model directory dir (config.json,
// model.safetensors, vocab.json + merges.txt or tokenizer.json), gives it a
// classifier head for task (initialised from headSeed) and returns a runner
// with default templates (train.Defaults) for full and subspace runs.
func LoadTrainRunner(dir, name string, task *data.Task, headSeed uint64) (*TrainRunner, error) {
	m, _, err := transformer.Load(dir)
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return NewTrainRunner(m, tok, ModelHash(dir), name, task, headSeed)
}

// ModelHash is checkpoint.Hash of the weights in dir ("" if unreadable).
func ModelHash(dir string) string {
	d, err := checkpoint.OpenDir(dir)
	if err != nil {
		return ""
	}
	defer d.Close()
	h, err := checkpoint.Hash(d)
	if err != nil {
		return ""
	}
	return h
}

// NewTrainRunner prepares m (with a fresh classifier head for task) and tok
// for a sweep.
func NewTrainRunner(m *transformer.Model, tok *tokenizer.Tokenizer, hash, name string, task *data.Task, headSeed uint64) (*TrainRunner, error) {
	m, err := train.ForTask(m, task.NumLabels, headSeed)
	if err != nil {
		return nil, err
	}
	b, err := train.NewBase(m, tok)
	if err != nil {
		return nil, err
	}
	b.Hash = hash
	return &TrainRunner{Base: b, Task: task, ModelName: name, ModelHash: hash, HeadSeed: headSeed,
		Full: train.Config{Method: train.MethodFull}, Sub: train.Config{Method: train.MethodSAID}}, nil
}

// NumTensors is the number of parameter tensors (SAID learns one scale
// for each, so its d must exceed this).
func (t *TrainRunner) NumTensors() int { return len(t.Base.Model.Parameters()) }

// MinD is the smallest d a method accepts.
func (t *TrainRunner) MinD(method string) int {
	if method == train.MethodSAID {
		return t.NumTensors() + 1
	}
	return 1
}

// TaskHash fingerprints the task's splits (texts and labels).
func TaskHash(task *data.Task) string {
	h := sha256.New()
	var n [8]byte
	for _, split := range [][]data.Example{task.Train, task.Dev, task.Test} {
		binary.LittleEndian.PutUint64(n[:], uint64(len(split)))
		h.Write(n[:])
		for _, e := range split {
			h.Write([]byte(e.Text))
			h.Write([]byte{0})
			h.Write([]byte(e.TextB))
			binary.LittleEndian.PutUint64(n[:], uint64(int64(e.Label)))
			h.Write(n[:])
			binary.LittleEndian.PutUint64(n[:], math.Float64bits(float64(e.Score)))
			h.Write(n[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (t *TrainRunner) template(s Spec) train.Config {
	c := t.Sub
	if s.Kind == KindBaseline {
		c = t.Full
	}
	c.Method, c.Projector, c.D, c.LR, c.Seed = s.Method, s.Projector, s.D, s.LR, s.Seed
	if s.Kind == KindBaseline {
		c.Projector = ""
	}
	c.EvalTrain = c.EvalTrain || t.EvalTrain
	return c
}

// Identity is the model hash, the task and its fingerprint, and the
// resolved training config of the spec's method without the fields the
// spec sets and those that do not change results (output, threads).
func (t *TrainRunner) Identity(s Spec) Identity {
	if t.taskHash == "" {
		t.taskHash = TaskHash(t.Task)
	}
	c := t.template(s)
	if r, err := c.Resolve(); err == nil {
		c = r
	}
	c.D, c.LR, c.Seed, c.SubspaceSeed, c.Out, c.Threads, c.Progress, c.Resume, c.CheckpointEvery = 0, 0, 0, 0, "", 0, nil, false, 0
	b, _ := json.Marshal(c)
	return Identity{Model: t.ModelName, ModelHash: t.ModelHash, Task: t.Task.Name + "@" + t.taskHash,
		Hyper: fmt.Sprintf("head_seed=%d %s", t.HeadSeed, b)}
}

// Run trains s in memory. A diverged run is a failed Outcome, not an error.
func (t *TrainRunner) Run(ctx context.Context, s Spec) (Outcome, error) {
	c := t.template(s)
	c.Out, c.Progress = "", t.Progress
	res, err := train.FineTune(ctx, t.Base, t.Task, c)
	out := Outcome{Dev: Score(res.DevScore), Test: Score(res.TestScore), Train: Score(res.TrainScore),
		Trainable: res.Trainable, AllParams: res.AllParams, TrainSize: len(t.Task.Train), Steps: res.Steps, Seconds: res.Seconds}
	var de *train.DivergedError
	switch {
	case errors.As(err, &de) || res.Diverged:
		out.Failed = true
		if err != nil {
			out.Error = err.Error()
		} else {
			out.Error = "diverged"
		}
		return out, nil
	case err != nil:
		return out, err
	case math.IsNaN(res.DevScore) || math.IsInf(res.DevScore, 0):
		out.Failed, out.Error = true, "dev score is not finite"
	}
	return out, nil
}

// Chance is the dev score (main metric) of predicting the training
// split's majority class.
func (t *TrainRunner) Chance() float64 {
	_, s, err := t.Task.Majority(t.Task.Dev)
	if err != nil {
		return math.NaN()
	}
	return s.Main(t.Task)
}
