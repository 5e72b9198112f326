package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/optim"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/transformer"
)

// Result is what a run measured. Scores are the task's main metric (MLM:
// held-out perplexity, lower is better) at the best evaluation; NaN where
// not measured.
type Result struct {
	Method     string  `json:"method"`
	Metric     string  `json:"metric"`
	D          int     `json:"d,omitempty"`
	DevScore   float64 `json:"dev_score"`
	TestScore  float64 `json:"test_score"`
	TrainScore float64 `json:"train_score"`
	// DevScores and TestScores hold every metric at the best step.
	DevScores  data.Scores `json:"dev_scores,omitempty"`
	TestScores data.Scores `json:"test_scores,omitempty"`
	BestStep   int         `json:"best_step"`
	Steps      int         `json:"steps"`
	TotalSteps int         `json:"total_steps"`
	Tokens     int64       `json:"tokens"`
	Seconds    float64     `json:"seconds"`
	// Diverged is set (with a *DivergedError) when a loss or gradient went
	// NaN or infinite.
	Diverged bool `json:"diverged"`
	// Stopped says why the run ended: "done", "early stopping",
	// "diverged", "interrupted".
	Stopped   string          `json:"stopped"`
	FinalLoss float64         `json:"final_loss"`
	Trainable int             `json:"trainable_params"`
	AllParams int64           `json:"all_params"`
	Counts    subspace.Counts `json:"-"`
	Out       string          `json:"out,omitempty"`
}

// ParamsLine is "trainable params: d || all params: D || trainable%: X".
func (r Result) ParamsLine() string { return r.Counts.String() }

// run is one training run: the parts shared by fine-tuning and
// pre-training, with hooks for what differs.
type run struct {
	cfg   Config
	model *transformer.Model
	opt   *optim.Adam
	w     *subspace.Wrapped // subspace runs only
	// state are the tensors a checkpoint saves (the optimizer's parameters).
	state []*autograd.Tensor

	train *data.Batcher
	batch data.Batch
	scope autograd.Scope

	// loss computes one micro-batch's loss (mean over its examples or
	// tokens); k is the global micro-batch number.
	loss func(b *data.Batch, k uint64) (*autograd.Tensor, error)
	// evaluate scores the dev set: the main score and all scores.
	evaluate     func() (float64, data.Scores, error)
	higherBetter bool
	// saveBest and saveFinal write user-facing outputs into a directory.
	saveOut func(dir string) error

	total, step int
	tokens      int64
	bestScore   float64
	bestScores  data.Scores
	bestStep    int
	haveBest    bool
	bad         int
	bestSnap    [][]float32
	lastLoss    float64
	elapsed     float64 // seconds of earlier sessions (resume)
	start       time.Time

	metrics *metricsLog
	prog    *progress
	res     Result
}

func (r *run) better(s float64) bool {
	if !r.haveBest {
		return true
	}
	if r.higherBetter {
		return s > r.bestScore
	}
	return s < r.bestScore
}

// setup builds the optimizer over params and the schedule for r.total steps.
func (r *run) setup(params []*autograd.Tensor, decay bool) error {
	warm := int(math.Ceil(r.cfg.WarmupFrac * float64(r.total)))
	peak := float32(r.cfg.LR)
	var sched optim.Schedule
	switch r.cfg.Schedule {
	case "constant":
		sched = optim.Constant(peak)
	case "cosine":
		sched = optim.Cosine{Peak: peak, Warmup: warm, Total: r.total}
	default:
		sched = optim.Linear{Peak: peak, Warmup: warm, Total: r.total}
	}
	groups := optim.OneGroup(params, float32(r.cfg.WeightDecay))
	if decay {
		groups = optim.DecayGroups(params, float32(r.cfg.WeightDecay), optim.DefaultNoDecay)
	}
	opt, err := optim.NewAdamW(groups, optim.AdamConfig{Schedule: sched, Beta2: float32(r.cfg.Beta2), Eps: 1e-8})
	if err != nil {
		return fmt.Errorf("train: optimizer: %w", err)
	}
	r.opt, r.state = opt, params
	return nil
}

// totalSteps is the number of updates the config asks for over nb
// micro-batches per epoch.
func totalSteps(cfg Config, nb int) int {
	if cfg.MaxSteps > 0 {
		return cfg.MaxSteps
	}
	return max(1, int(math.Ceil(cfg.Epochs*float64(nb)/float64(cfg.GradAccum))))
}

func (r *run) evalEvery() int {
	if r.cfg.EvalEvery > 0 {
		return r.cfg.EvalEvery
	}
	perEpoch := max(1, r.train.NumBatches()/r.cfg.GradAccum)
	return max(1, min(perEpoch, 1000, r.total))
}

// loop runs updates until the end, early stopping, divergence or
// cancellation.
func (r *run) loop(ctx context.Context) error {
	r.start = time.Now()
	accum := r.cfg.GradAccum
	every := r.evalEvery()
	ckEvery := r.cfg.CheckpointEvery
	if ckEvery == 0 {
		ckEvery = every
	}
	r.model.SetTrain(true)
	defer r.model.SetTrain(false)
	r.prog.begin(r.step, r.total)
	stepTokens, logTokens := int64(0), int64(0)
	lastLog := time.Now()
	for r.step < r.total {
		if err := ctx.Err(); err != nil {
			ie := &InterruptedError{Step: r.step, Err: err}
			if r.cfg.Out != "" {
				if cerr := r.checkpoint(); cerr != nil {
					return fmt.Errorf("%v; and saving the checkpoint failed: %w", ie, cerr)
				}
				ie.Checkpoint = filepath.Join(r.cfg.Out, "ckpt")
			}
			r.res.Stopped = "interrupted"
			return ie
		}
		if r.w != nil {
			r.w.Apply()
		}
		lossSum := 0.0
		for k := 0; k < accum; k++ {
			b, _, _ := r.train.Next(&r.batch)
			for _, m := range b.Mask {
				stepTokens += int64(m)
			}
			g := uint64(r.step)*uint64(accum) + uint64(k)
			r.model.SetSeed(mix(r.cfg.Seed, 0xD5, g))
			r.scope.Begin()
			loss, err := r.loss(b, g)
			if err != nil {
				r.scope.End()
				return fmt.Errorf("train: step %d: %w", r.step+1, err)
			}
			lv := float64(loss.Item())
			if !finite(lv) {
				r.scope.End()
				r.opt.ZeroGrad()
				return r.diverged("loss", lv)
			}
			if accum > 1 {
				loss = autograd.Scale(loss, 1/float32(accum))
			}
			loss.Backward()
			r.scope.End()
			lossSum += lv
		}
		if r.w != nil {
			r.w.Backward()
		}
		norm := float64(r.opt.ClipGradNorm(float32(r.cfg.ClipNorm)))
		if !finite(norm) {
			r.opt.ZeroGrad()
			return r.diverged("gradient norm", norm)
		}
		lr := r.opt.LR()
		r.opt.Step()
		r.opt.ZeroGrad()
		r.step++
		r.tokens += stepTokens
		logTokens += stepTokens
		r.lastLoss = lossSum / float64(accum)
		r.prog.update(r.step, r.lastLoss, float64(lr), r.tokens)
		if r.cfg.LogEvery > 0 && (r.step%r.cfg.LogEvery == 0 || r.step == r.total) {
			now := time.Now()
			r.metrics.write(map[string]any{
				"kind": "train", "step": r.step, "epoch": r.epochFloat(), "loss": r.lastLoss,
				"lr": lr, "grad_norm": norm, "tokens": r.tokens,
				"tokens_per_s": float64(logTokens) / max(1e-9, now.Sub(lastLog).Seconds()),
			})
			lastLog, logTokens = now, 0
		}
		stepTokens = 0
		if err := r.snapshot(); err != nil {
			return err
		}
		if r.step%every == 0 || r.step == r.total {
			stop, err := r.evalStep()
			if err != nil {
				return err
			}
			if r.cfg.Out != "" && (r.step%ckEvery == 0 || r.step == r.total || stop) {
				if err := r.checkpoint(); err != nil {
					return err
				}
			}
			if stop {
				r.res.Stopped = "early stopping"
				break
			}
		} else if r.cfg.Out != "" && r.step%ckEvery == 0 {
			if err := r.checkpoint(); err != nil {
				return err
			}
		}
	}
	if r.res.Stopped == "" {
		r.res.Stopped = "done"
	}
	r.prog.end()
	return nil
}

// snapshot saves the weights into Out/snapshots/step-<N> when this update
// is one of cfg.SnapshotSteps.
func (r *run) snapshot() error {
	if r.cfg.Out == "" || r.saveOut == nil || !slices.Contains(r.cfg.SnapshotSteps, r.step) {
		return nil
	}
	if r.w != nil {
		r.w.Apply()
	}
	dir := filepath.Join(r.cfg.Out, "snapshots", fmt.Sprintf("step-%d", r.step))
	if err := r.saveOut(dir); err != nil {
		return fmt.Errorf("train: snapshot at step %d: %w", r.step, err)
	}
	r.metrics.write(map[string]any{"kind": "snapshot", "step": r.step, "tokens": r.tokens, "dir": dir})
	return nil
}

func (r *run) epochFloat() float64 {
	return float64(r.step*r.cfg.GradAccum) / float64(r.train.NumBatches())
}

func (r *run) diverged(q string, v float64) error {
	r.prog.end()
	r.res.Diverged, r.res.Stopped = true, "diverged"
	err := &DivergedError{Step: r.step + 1, Quantity: q, Value: v}
	r.metrics.write(map[string]any{"kind": "error", "step": r.step + 1, "error": err.Error()})
	r.metrics.sync()
	return err
}

// evalStep scores the dev set, keeps the best weights and reports whether
// patience ran out.
func (r *run) evalStep() (bool, error) {
	if r.w != nil {
		r.w.Apply() // the model still holds the weights of before the last update
	}
	r.model.SetTrain(false)
	s, all, err := r.evaluate()
	r.model.SetTrain(true)
	if err != nil {
		return false, fmt.Errorf("train: evaluation at step %d: %w", r.step, err)
	}
	if !finite(s) {
		return false, r.diverged("dev "+r.res.Metric, s)
	}
	improved := r.better(s)
	rec := map[string]any{"kind": "eval", "step": r.step, "epoch": r.epochFloat(), r.res.Metric: s, "best": improved}
	for k, v := range all {
		rec["dev_"+k] = v
	}
	r.metrics.write(rec)
	r.metrics.sync()
	r.prog.eval(r.step, r.res.Metric, s, improved)
	if improved {
		r.bestScore, r.bestScores, r.bestStep, r.haveBest, r.bad = s, all, r.step, true, 0
		r.bestSnap = snapshot(r.state, r.bestSnap)
		if r.cfg.Out != "" && r.saveOut != nil {
			if err := r.saveOut(filepath.Join(r.cfg.Out, "best")); err != nil {
				return false, err
			}
		}
		return false, nil
	}
	r.bad++
	return r.cfg.Patience > 0 && r.bad >= r.cfg.Patience, nil
}

// restoreBest puts the best evaluated weights back.
func (r *run) restoreBest() error {
	if r.bestSnap == nil {
		return nil
	}
	for i, t := range r.state {
		if err := t.SetData(r.bestSnap[i]); err != nil {
			return err
		}
	}
	if r.w != nil {
		r.w.Apply()
	}
	return nil
}

func snapshot(ts []*autograd.Tensor, dst [][]float32) [][]float32 {
	if len(dst) != len(ts) {
		dst = make([][]float32, len(ts))
	}
	for i, t := range ts {
		if len(dst[i]) != t.Len() {
			dst[i] = make([]float32, t.Len())
		}
		t.DataInto(dst[i])
	}
	return dst
}

// finish fills the result after the loop.
func (r *run) finish() {
	r.res.Steps, r.res.TotalSteps, r.res.Tokens = r.step, r.total, r.tokens
	r.res.BestStep, r.res.FinalLoss = r.bestStep, r.lastLoss
	r.res.Seconds = r.elapsed + time.Since(r.start).Seconds()
	if r.haveBest {
		r.res.DevScore, r.res.DevScores = r.bestScore, r.bestScores
	}
}

func writeJSONFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeAtomic(path, b)
}
