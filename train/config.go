package train

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/idim-go/idim/subspace"
)

// Method names what a run trains.
const (
	MethodFull = "full" // every parameter
	MethodDID  = "did"  // theta = theta_0 + P(theta_d)
	MethodSAID = "said" // theta_t = theta_0,t + lambda_t P_t(theta_{d-m})
	MethodMLM  = "mlm"  // masked-language-model pre-training (every parameter)
)

// Config is everything that decides a run. The zero value of a field means
// its default (see Defaults); Resolve fills them in, and the resolved config
// is what a run writes to config.json next to its outputs.
type Config struct {
	// Method is full, did or said for fine-tuning (default full); Pretrain
	// always uses mlm.
	Method string `json:"method"`
	// Projector is the subspace projection: fastfood (default, the
	// paper's), fastfood-block (blocked, ~7x cheaper on large models),
	// fastfood-split, dense or sparse. D is the number of trainable values
	// (SAID's lambdas included).
	Projector string `json:"projector,omitempty"`
	D         int    `json:"d,omitempty"`
	// SubspaceSeed picks the projection (default: Seed).
	SubspaceSeed uint64 `json:"subspace_seed,omitempty"`
	// LambdaInit is SAID's initial lambda_t: "size" (default for said:
	// sqrt(n_t/n_max), n_t the tensor's size) or "one" (see
	// subspace.LambdaInit for why size). Not used by other methods.
	LambdaInit string `json:"lambda_init,omitempty"`

	// Optimiser: AdamW with LR peak, linear warm-up over WarmupFrac of the
	// steps then linear decay to 0 (Schedule "linear"; also "constant",
	// "cosine"). LR 0 means the default: 2e-5 for full fine-tuning (the
	// paper's, for RoBERTa-base) but 3e-4 when FineTune sees a model with a
	// hidden size below 512 (idim-tiny: 2e-5 reaches 0.60 dev accuracy on
	// sentiment in 3 epochs, 1e-4 0.70, 3e-4 0.77); 1e-3 (5 epochs) for
	// did (idim-tiny, SAID with lambda_t = 1, d=1000, sentiment: 5e-4..2e-3
	// best, 5e-3 and above worse; DID has no lambdas, so the lambda init
	// change left it as it was); 1e-2 with 10 epochs for said with the
	// default size-scaled lambdas (idim-tiny/sentiment, d=3000: dev
	// 0.786/0.746/0.749 over seeds 1-3, 90% of full fine-tuning is 0.7375;
	// EXPERIMENTS.md section 5); 5e-4 for mlm.
	LR          float64 `json:"lr"`
	WeightDecay float64 `json:"weight_decay"`
	// NoWeightDecay turns weight decay off (WeightDecay 0 means the
	// method's default, as every zero field does).
	NoWeightDecay bool    `json:"no_weight_decay,omitempty"`
	Beta2         float64 `json:"beta2"`
	WarmupFrac    float64 `json:"warmup_frac"`
	Schedule      string  `json:"schedule"`
	// ClipNorm is the global gradient-norm limit (<= 0: no clipping; the
	// norm is still measured and checked for NaN/Inf).
	ClipNorm float64 `json:"clip_norm"`

	// Data: batches of BatchSize sequences of at most MaxLen tokens (MLM:
	// blocks of MaxLen tokens), GradAccum micro-batches per update.
	BatchSize int `json:"batch_size"`
	GradAccum int `json:"grad_accum"`
	MaxLen    int `json:"max_len"`
	// Epochs over the training data, unless MaxSteps (updates) is set.
	Epochs   float64 `json:"epochs"`
	MaxSteps int     `json:"max_steps,omitempty"`

	// EvalEvery updates, the dev set is scored (default: once per epoch,
	// at least every 1000 updates); Patience evaluations without
	// improvement stop the run (0: never). LogEvery updates a metrics line
	// is written.
	EvalEvery int `json:"eval_every"`
	Patience  int `json:"patience"`
	LogEvery  int `json:"log_every"`
	// EvalTrain also scores the training split at the end (Result.TrainScore).
	EvalTrain bool `json:"eval_train,omitempty"`
	// EvalBatch is the batch size of evaluation (default 64).
	EvalBatch int `json:"eval_batch"`

	// Seed drives every random choice: batch order, dropout, MLM masks,
	// the head initialisation, and the projection unless SubspaceSeed.
	Seed uint64 `json:"seed"`
	// Dropout > 0 overrides the model's hidden and attention dropout
	// probability (0 keeps the model's); NoDropout turns dropout off.
	Dropout   float64 `json:"dropout,omitempty"`
	NoDropout bool    `json:"no_dropout,omitempty"`

	// Out is the run directory (config.json, metrics.jsonl, best/, final/,
	// ckpt/); "" keeps everything in memory (sweeps).
	Out string `json:"out,omitempty"`
	// CheckpointEvery updates, a resumable checkpoint is written into
	// Out/ckpt (default: at every evaluation; needs Out).
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
	// Resume continues from Out/ckpt when one is there.
	Resume bool `json:"-"`
	// SnapshotSteps lists updates after which the weights are also saved
	// as a loadable model directory in Out/snapshots/step-<N> (the model
	// with its tokenizer when pre-training, the adapter when fine-tuning in
	// a subspace): checkpoints along a run for the pre-training study.
	// Needs Out.
	SnapshotSteps []int `json:"snapshot_steps,omitempty"`

	// MLM: masking probability (default 0.15) and the fraction of the
	// documents held out for perplexity (default 0.02).
	MaskProb    float64 `json:"mask_prob,omitempty"`
	HeldOutFrac float64 `json:"held_out_frac,omitempty"`

	// Progress receives the progress display (a bar when it is a terminal,
	// plain lines otherwise); nil prints nothing.
	Progress io.Writer `json:"-"`
	// Threads is recorded in config.json (the caller sets GOMAXPROCS).
	Threads int `json:"threads,omitempty"`
}

// Defaults is the configuration every zero field falls back to for method
// (full, did, said or mlm).
func Defaults(method string) Config {
	c := Config{
		Method: method, Projector: "fastfood", Beta2: 0.999,
		WarmupFrac: 0.06, Schedule: "linear", ClipNorm: 1,
		BatchSize: 32, GradAccum: 1, MaxLen: 128, Epochs: 3,
		LogEvery: 10, EvalBatch: 64,
	}
	switch method {
	case MethodFull:
		c.LR, c.WeightDecay = 2e-5, 0.01
	case MethodDID:
		c.LR, c.WeightDecay, c.Epochs = 1e-3, 0, 5
	case MethodSAID:
		c.LR, c.WeightDecay, c.Epochs = 1e-2, 0, 10
		c.LambdaInit = "size"
	case MethodMLM:
		c.LR, c.WeightDecay, c.Beta2, c.Epochs = 5e-4, 0.01, 0.98, 1
		c.MaskProb, c.HeldOutFrac = 0.15, 0.02
	}
	return c
}

// Resolve returns c with its zero fields set to the method's defaults, or
// an error naming the first invalid field.
func (c Config) Resolve() (Config, error) {
	m := strings.ToLower(c.Method)
	if m == "" {
		m = MethodFull
	}
	switch m {
	case MethodFull, MethodDID, MethodSAID, MethodMLM:
	default:
		return c, fmt.Errorf("train: method %q: want full, did, said or mlm", c.Method)
	}
	d := Defaults(m)
	c.Method = m
	setDefault(&c.Projector, d.Projector)
	c.Projector = strings.ToLower(c.Projector)
	setDefault(&c.LR, d.LR)
	setDefault(&c.Beta2, d.Beta2)
	setDefault(&c.WarmupFrac, d.WarmupFrac)
	setDefault(&c.ClipNorm, d.ClipNorm)
	setDefault(&c.Epochs, d.Epochs)
	setDefault(&c.MaskProb, d.MaskProb)
	setDefault(&c.HeldOutFrac, d.HeldOutFrac)
	setDefault(&c.BatchSize, d.BatchSize)
	setDefault(&c.GradAccum, d.GradAccum)
	setDefault(&c.MaxLen, d.MaxLen)
	setDefault(&c.LogEvery, d.LogEvery)
	setDefault(&c.EvalBatch, d.EvalBatch)
	setDefault(&c.Schedule, d.Schedule)
	if c.NoWeightDecay {
		c.WeightDecay = 0
	} else {
		setDefault(&c.WeightDecay, d.WeightDecay)
	}
	setDefault(&c.SubspaceSeed, c.Seed)
	setDefault(&c.LambdaInit, d.LambdaInit)
	c.LambdaInit = strings.ToLower(c.LambdaInit)
	if c.LambdaInit != "" {
		if _, err := subspace.ParseLambdaInit(c.LambdaInit); err != nil {
			return c, fmt.Errorf("train: lambda_init = %q: want one or size", c.LambdaInit)
		}
	}
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("train: %s = %v: %s", field, v, want)
	}
	switch {
	case c.LR < 0:
		return c, bad("lr", c.LR, "must be positive")
	case c.WeightDecay < 0:
		return c, bad("weight_decay", c.WeightDecay, "must be >= 0")
	case c.Beta2 <= 0 || c.Beta2 >= 1:
		return c, bad("beta2", c.Beta2, "must be in (0, 1)")
	case c.WarmupFrac < 0 || c.WarmupFrac >= 1:
		return c, bad("warmup_frac", c.WarmupFrac, "must be in [0, 1)")
	case c.BatchSize < 1:
		return c, bad("batch_size", c.BatchSize, "must be >= 1")
	case c.GradAccum < 1:
		return c, bad("grad_accum", c.GradAccum, "must be >= 1")
	case c.MaxLen < 4:
		return c, bad("max_len", c.MaxLen, "must be >= 4")
	case c.Epochs < 0 || c.MaxSteps < 0:
		return c, bad("epochs/max_steps", fmt.Sprint(c.Epochs, "/", c.MaxSteps), "must be >= 0")
	case c.EvalEvery < 0 || c.Patience < 0 || c.LogEvery < 0 || c.CheckpointEvery < 0:
		return c, fmt.Errorf("train: eval_every, patience, log_every and checkpoint_every must be >= 0")
	case c.Dropout < 0 || c.Dropout >= 1:
		return c, bad("dropout", c.Dropout, "must be in [0, 1)")
	case c.MaskProb < 0 || c.MaskProb >= 1:
		return c, bad("mask_prob", c.MaskProb, "must be in (0, 1)")
	case c.HeldOutFrac < 0 || c.HeldOutFrac >= 1:
		return c, bad("held_out_frac", c.HeldOutFrac, "must be in (0, 1)")
	case len(c.SnapshotSteps) > 0 && c.Out == "":
		return c, fmt.Errorf("train: snapshot_steps needs an output directory (out)")
	}
	for _, s := range c.SnapshotSteps {
		if s < 1 {
			return c, bad("snapshot_steps", s, "every step must be >= 1")
		}
	}
	switch c.Schedule {
	case "linear", "constant", "cosine":
	default:
		return c, bad("schedule", c.Schedule, "want linear, constant or cosine")
	}
	if c.Method == MethodDID || c.Method == MethodSAID {
		switch c.Projector {
		case "fastfood", "fastfood-block", "fastfood-split", "dense", "sparse":
		default:
			return c, bad("projector", c.Projector, "want fastfood, fastfood-block, fastfood-split, dense or sparse")
		}
		if c.D < 1 {
			return c, bad("d", c.D, "a subspace run needs d >= 1")
		}
	}
	return c, nil
}

// setDefault sets *v to def when *v is unset (the zero value).
func setDefault[T comparable](v *T, def T) {
	var unset T
	if *v == unset {
		*v = def
	}
}

// JSON is the config as written to config.json.
func (c Config) JSON() []byte {
	b, _ := json.MarshalIndent(c, "", "  ")
	return append(b, '\n')
}
