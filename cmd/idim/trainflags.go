package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/idim-go/idim/train"
)

// trainFlags are the flags finetune and pretrain share; zero values mean
// the train package's defaults for the method.
type trainFlags struct {
	out                        string
	lr, wd, epochs, warmup     float64
	clip, dropout              float64
	batch, accum, maxLen       int
	maxSteps, evalEvery, logEv int
	ckEvery, patience, threads int
	seed                       uint64
	schedule, device           string
	resume, quiet, noDropout   bool
	snapshots                  string
}

func (f *trainFlags) register(fs *flag.FlagSet, method string) {
	d := train.Defaults(method)
	fs.StringVar(&f.out, "out", "", "run directory: config.json, metrics.jsonl, best/, final/, ckpt/ (required)")
	lrHelp := fmt.Sprintf("peak learning rate (0: default, %g)", d.LR)
	if method == train.MethodFull {
		lrHelp = fmt.Sprintf("peak learning rate (0: default: full %g, or %g for models narrower than 512 such as idim-tiny; did %g; said %g)", d.LR, train.SmallModelLR, train.Defaults(train.MethodDID).LR, train.Defaults(train.MethodSAID).LR)
	}
	fs.Float64Var(&f.lr, "lr", 0, lrHelp)
	fs.Float64Var(&f.wd, "weight-decay", -1, fmt.Sprintf("AdamW weight decay (-1: default, %g)", d.WeightDecay))
	epochsHelp := fmt.Sprintf("epochs over the training data (0: default, %g); --max-steps overrides", d.Epochs)
	if method == train.MethodFull {
		epochsHelp = fmt.Sprintf("epochs over the training data (0: default: full %g, did %g, said %g); --max-steps overrides", d.Epochs, train.Defaults(train.MethodDID).Epochs, train.Defaults(train.MethodSAID).Epochs)
	}
	fs.Float64Var(&f.epochs, "epochs", 0, epochsHelp)
	fs.IntVar(&f.maxSteps, "max-steps", 0, "number of updates (0: from --epochs)")
	fs.Float64Var(&f.warmup, "warmup", 0, fmt.Sprintf("fraction of the updates for linear warm-up (0: default, %g)", d.WarmupFrac))
	fs.StringVar(&f.schedule, "schedule", "linear", "learning-rate schedule after warm-up: linear, cosine or constant")
	fs.Float64Var(&f.clip, "clip", 0, fmt.Sprintf("global gradient-norm clipping (0: default, %g; negative: off)", d.ClipNorm))
	fs.Float64Var(&f.dropout, "dropout", 0, "dropout probability (0: the model's own)")
	fs.BoolVar(&f.noDropout, "no-dropout", false, "turn dropout off")
	fs.IntVar(&f.batch, "batch", 0, fmt.Sprintf("sequences per micro-batch (0: default, %d)", d.BatchSize))
	fs.IntVar(&f.accum, "grad-accum", 1, "micro-batches per update (gradient accumulation)")
	fs.IntVar(&f.maxLen, "max-len", 0, fmt.Sprintf("longest sequence in tokens (0: default, %d)", d.MaxLen))
	fs.IntVar(&f.evalEvery, "eval-every", 0, "evaluate on dev every N updates (0: once per epoch, at most every 1000)")
	fs.IntVar(&f.patience, "patience", 0, "stop after N evaluations without improvement (0: never)")
	fs.IntVar(&f.logEv, "log-every", 0, fmt.Sprintf("write a metrics line every N updates (0: default, %d)", d.LogEvery))
	fs.IntVar(&f.ckEvery, "checkpoint-every", 0, "write a resumable checkpoint every N updates (0: at every evaluation)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of every random choice (batch order, dropout, masks, head init, projection)")
	fs.IntVar(&f.threads, "threads", 0, "worker threads (0: all cores); same seed and threads give bit-identical runs")
	fs.StringVar(&f.device, "device", "", "compute device (default: $IDIM_DEVICE, else cpu)")
	fs.StringVar(&f.snapshots, "snapshots", "", "comma-separated updates after which the weights are also saved as a model directory in OUT/snapshots/step-N")
	fs.BoolVar(&f.resume, "resume", false, "continue the run in --out from its last checkpoint")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress output (metrics.jsonl is still written)")
}

func (f *trainFlags) config(method string) (train.Config, error) {
	if f.out == "" {
		return train.Config{}, fmt.Errorf("--out is required")
	}
	c := train.Config{Method: method, LR: f.lr, Epochs: f.epochs, MaxSteps: f.maxSteps, WarmupFrac: f.warmup,
		Schedule: f.schedule, ClipNorm: f.clip, Dropout: f.dropout, NoDropout: f.noDropout, BatchSize: f.batch,
		GradAccum: f.accum, MaxLen: f.maxLen, EvalEvery: f.evalEvery, Patience: f.patience, LogEvery: f.logEv,
		CheckpointEvery: f.ckEvery, Seed: f.seed, Out: f.out, Resume: f.resume, Threads: runtime.GOMAXPROCS(0)}
	if f.snapshots != "" {
		for _, v := range strings.Split(f.snapshots, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || n < 1 {
				return train.Config{}, fmt.Errorf("--snapshots %q: %q is not an update number >= 1", f.snapshots, v)
			}
			c.SnapshotSteps = append(c.SnapshotSteps, n)
		}
	}
	if f.wd >= 0 {
		c.WeightDecay = f.wd
		c.NoWeightDecay = f.wd == 0
	}
	if f.clip < 0 {
		c.ClipNorm = -1
	}
	if !f.quiet {
		c.Progress = os.Stderr
	}
	return c, nil // the caller sets the rest and resolves
}

// applyThreads sets GOMAXPROCS before any parallel work starts.
func (f *trainFlags) applyThreads() error {
	if f.threads < 0 {
		return fmt.Errorf("--threads %d: must be >= 0", f.threads)
	}
	if f.threads > 0 {
		runtime.GOMAXPROCS(f.threads)
	}
	if f.device != "" {
		os.Setenv("IDIM_DEVICE", f.device)
	}
	return nil
}

// signalContext is cancelled by the first SIGINT or SIGTERM; the training
// loop then saves a checkpoint and returns. A second signal kills the
// process at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-ch:
			fmt.Fprintln(os.Stderr, "\nidim: interrupted: saving a checkpoint (press Ctrl-C again to quit at once)")
			cancel()
		case <-ctx.Done():
			return
		}
		<-ch
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(ch); cancel() }
}

// trainErr turns an interrupted run into a message and exit code 130.
func trainErr(err error) error {
	var ie *train.InterruptedError
	if errors.As(err, &ie) {
		fmt.Fprintf(os.Stderr, "idim: %v\nidim: run the same command with --resume to continue\n", ie)
		os.Exit(130)
	}
	return err
}
