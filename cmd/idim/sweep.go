package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/idim-go/idim/bench"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/train"
)

func init() {
	register(command{"sweep", "find d90 for a model and task (grid + bisection; --shard, `sweep merge`)", runSweep})
}

// sweepFlags are the flags sweep, demo and study share.
type sweepFlags struct {
	model, tokenizer, task    string
	method, projector         string
	lambdaInit                string
	saidLRs, didLRs           string // the --lrs default by method
	grid, lrs, seeds, bseeds  string
	dMin, dMax                int
	perDecade, baseLR         float64
	fraction, ratio           float64
	abs, maxBisect, lrRef     int
	noBisect, gridStop        bool
	out, cache, shard         string
	fullEpochs, subEpochs     float64
	maxSteps, fullMaxSteps    int
	batch, maxLen, threads    int
	evalEvery, patience       int
	headSeed                  uint64
	quiet, verbose, evalTrain bool
	reportOnly                bool
	tk                        taskFlags
}

func (f *sweepFlags) register(fs *flag.FlagSet, d sweepFlags) {
	modelFlags(fs, &f.model, &f.tokenizer, d.model)
	fs.StringVar(&f.task, "task", d.task, "the task: a shipped name ("+strings.Join(data.Names(), ", ")+"), glue:DIR:TASK, jsonl:... or csv:...")
	fs.StringVar(&f.method, "method", d.method, "subspace method: did or said")
	fs.StringVar(&f.projector, "projector", d.projector, "projection: fastfood (the paper's), fastfood-block (blocked Fastfood, several times cheaper on large models), fastfood-split, dense or sparse")
	fs.StringVar(&f.grid, "grid", d.grid, "explicit comma-separated d of the grid (overrides --d-min/--d-max/--per-decade)")
	fs.IntVar(&f.dMin, "d-min", d.dMin, "smallest d of the log grid (grid d below what the method allows give way to its smallest d)")
	fs.IntVar(&f.dMax, "d-max", d.dMax, "largest d of the log grid")
	fs.Float64Var(&f.perDecade, "per-decade", d.perDecade, "grid points per factor of 10")
	fs.StringVar(&f.lambdaInit, "lambda-init", d.lambdaInit, "SAID's initial lambda_t: size (sqrt(n_t/n_max)) or one (empty: train's default, size)")
	fs.StringVar(&f.lrs, "lrs", d.lrs, "comma-separated subspace learning rates tried at every d (best on dev kept; default: "+d.saidLRs+" for said, "+d.didLRs+" for did)")
	f.saidLRs, f.didLRs = d.saidLRs, d.didLRs
	fs.Float64Var(&f.baseLR, "baseline-lr", d.baseLR, "learning rate of the full fine-tuning baseline")
	fs.IntVar(&f.lrRef, "lr-ref", d.lrRef, "scale the --lrs with d: at d run lr*sqrt(lr-ref/d), so the weights move as much per step at every d (0: the same rates at every d)")
	fs.StringVar(&f.seeds, "seeds", d.seeds, "comma-separated seeds run at every (d, lr); a single number N means 1..N")
	fs.StringVar(&f.bseeds, "baseline-seeds", "", "seeds of the baseline (default: --seeds)")
	fs.Float64Var(&f.fraction, "fraction", 0.9, "d90 is the smallest d whose mean dev score reaches this fraction of the baseline's")
	fs.Float64Var(&f.ratio, "ratio", d.ratio, "bisection stops when hi/lo <= ratio")
	fs.IntVar(&f.abs, "abs", 0, "bisection stops when hi-lo <= abs (0: use --ratio)")
	fs.IntVar(&f.maxBisect, "max-bisect", d.maxBisect, "at most this many bisection steps")
	fs.BoolVar(&f.noBisect, "no-bisect", false, "stop after the grid")
	fs.BoolVar(&f.gridStop, "grid-stop", false, "end the grid at the first d that reaches the threshold (same d90 and bracket, the larger grid d are not run; not with --shard)")
	fs.StringVar(&f.out, "out", d.out, "output directory: results.jsonl, d90.json, table.md, plot.png, plot.svg")
	fs.StringVar(&f.cache, "cache", "", "baseline cache directory (default: $IDIM_CACHE/baselines or the user cache dir; \"off\": none)")
	fs.StringVar(&f.shard, "shard", "", "run one shard of the grid: I/N, auto or auto/N (JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID)")
	fs.Float64Var(&f.fullEpochs, "baseline-epochs", d.fullEpochs, "epochs of the full fine-tuning baseline (0: train's default)")
	fs.Float64Var(&f.subEpochs, "epochs", d.subEpochs, "epochs of each subspace run (0: train's default)")
	fs.IntVar(&f.maxSteps, "max-steps", d.maxSteps, "updates of each subspace run (0: from --epochs)")
	fs.IntVar(&f.fullMaxSteps, "baseline-max-steps", d.fullMaxSteps, "updates of the baseline (0: from --baseline-epochs)")
	fs.IntVar(&f.batch, "batch", d.batch, "batch size (0: train's default)")
	fs.IntVar(&f.maxLen, "max-len", d.maxLen, "longest sequence in tokens (0: train's default)")
	fs.IntVar(&f.evalEvery, "eval-every", d.evalEvery, "evaluate on dev every N updates (0: once per epoch)")
	fs.IntVar(&f.patience, "patience", 0, "early stopping after N evaluations without improvement (0: never)")
	fs.IntVar(&f.threads, "threads", 0, "worker threads (0: all cores)")
	fs.Uint64Var(&f.headSeed, "head-seed", 1, "seed of the classifier head's initialisation (shared by every run)")
	fs.BoolVar(&f.evalTrain, "eval-train", d.evalTrain, "also score the training split of every run (generalization gap)")
	fs.BoolVar(&f.reportOnly, "report-only", false, "run nothing: write the report from the runs that have finished (a grid point still missing runs is left out)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress output")
	fs.BoolVar(&f.verbose, "verbose", false, "show each run's own training progress")
	f.tk.register(fs)
}

// checkLambdaInit checks --lambda-init: empty (train's default), or one or
// size with --method said.
func checkLambdaInit(v, method string) error {
	if v == "" {
		return nil
	}
	if _, err := subspace.ParseLambdaInit(v); err != nil {
		return fmt.Errorf("--lambda-init %q: want one or size", v)
	}
	if !strings.EqualFold(method, "said") {
		return fmt.Errorf("--lambda-init is for --method said (%s has no lambdas)", method)
	}
	return nil
}

func parseList[T any](name, v string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		x, err := parse(s)
		if err != nil {
			return nil, fmt.Errorf("--%s: %q: %v", name, s, err)
		}
		out = append(out, x)
	}
	return out, nil
}

func parseSeeds(name, v string) ([]uint64, error) {
	if v == "" {
		return nil, nil
	}
	if !strings.Contains(v, ",") {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("--%s %q: want a count N >= 1 or a comma-separated list", name, v)
		}
		var out []uint64
		for i := 1; i <= n; i++ {
			out = append(out, uint64(i))
		}
		return out, nil
	}
	return parseList(name, v, func(s string) (uint64, error) { return strconv.ParseUint(s, 10, 64) })
}

// defaultCache is where baselines are cached across sweeps.
func defaultCache() string {
	if d := os.Getenv(models.CacheDirEnv); d != "" {
		return filepath.Join(d, "baselines")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "idim", "baselines")
	}
	return ""
}

// setup loads the model and task, and builds the runner and the sweep
// config from the flags.
func (f *sweepFlags) setup(progress io.Writer) (*bench.TrainRunner, bench.Config, error) {
	var c bench.Config
	if f.threads < 0 {
		return nil, c, fmt.Errorf("--threads %d: must be >= 0", f.threads)
	}
	if f.threads > 0 {
		runtime.GOMAXPROCS(f.threads)
	}
	if err := checkLambdaInit(f.lambdaInit, f.method); err != nil {
		return nil, c, err
	}
	task, err := f.tk.loadTask(f.task)
	if err != nil {
		return nil, c, err
	}
	m, tok, dir, err := loadModel(f.model, f.tokenizer, 0)
	if err != nil {
		return nil, c, err
	}
	name := f.model
	if !models.Has(name) {
		name = filepath.Base(filepath.Clean(dir))
	}
	r, err := bench.NewTrainRunner(m, tok, bench.ModelHash(dir), name, task, f.headSeed)
	if err != nil {
		return nil, c, err
	}
	r.EvalTrain = f.evalTrain
	r.Full = train.Config{Method: train.MethodFull, Epochs: f.fullEpochs, MaxSteps: f.fullMaxSteps, BatchSize: f.batch, MaxLen: f.maxLen, EvalEvery: f.evalEvery, Patience: f.patience}
	r.Sub = train.Config{Method: f.method, Projector: f.projector, LambdaInit: f.lambdaInit, Epochs: f.subEpochs, MaxSteps: f.maxSteps, BatchSize: f.batch, MaxLen: f.maxLen, EvalEvery: f.evalEvery, Patience: f.patience}
	if f.verbose {
		r.Progress = progress
	}
	c, err = f.config(r.MinD(strings.ToLower(f.method)), progress)
	return r, c, err
}

func (f *sweepFlags) config(minD int, progress io.Writer) (bench.Config, error) {
	c := bench.Config{Method: f.method, Projector: f.projector, MinD: minD, BaselineLR: f.baseLR, LRRef: f.lrRef, Fraction: f.fraction,
		Resolution: bench.Resolution{Ratio: f.ratio, Abs: f.abs}, NoBisect: f.noBisect, MaxBisect: f.maxBisect, StopAtReach: f.gridStop,
		ReportOnly: f.reportOnly, Dir: f.out, Progress: progress, Log: os.Stderr}
	if f.abs > 0 {
		c.Resolution.Ratio = 0
	}
	var err error
	if f.grid != "" {
		if c.Grid, err = parseList("grid", f.grid, strconv.Atoi); err != nil {
			return c, err
		}
	} else {
		if lo := max(f.dMin, minD); lo > f.dMax {
			return c, fmt.Errorf("--d-max %d is below the smallest d %s allows (%d)", f.dMax, f.method, lo)
		}
		c.Grid = bench.LogGridFrom(f.dMin, f.dMax, f.perDecade, minD)
	}
	lrs := f.lrs
	if lrs == "" {
		lrs = f.didLRs
		if strings.EqualFold(f.method, "said") {
			lrs = f.saidLRs
		}
	}
	if c.LRs, err = parseList("lrs", lrs, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }); err != nil {
		return c, err
	}
	if c.Seeds, err = parseSeeds("seeds", f.seeds); err != nil {
		return c, err
	}
	if c.BaselineSeeds, err = parseSeeds("baseline-seeds", f.bseeds); err != nil {
		return c, err
	}
	if c.Shard, err = bench.ParseShard(f.shard, os.Getenv); err != nil {
		return c, err
	}
	switch f.cache {
	case "off":
	case "":
		c.CacheDir = defaultCache()
	default:
		c.CacheDir = f.cache
	}
	if c.BaselineLR <= 0 {
		return c, fmt.Errorf("--baseline-lr %g: must be > 0", c.BaselineLR)
	}
	return c.Resolved()
}

// sweepDefaults are the flag defaults of `idim sweep`: the learning rates
// bracket train's defaults (1e-2 for SAID with size-scaled lambdas, 1e-3
// for DID).
var sweepDefaults = sweepFlags{model: models.Default, task: "sentiment", method: "said", projector: "fastfood",
	dMin: 10, dMax: 100000, perDecade: 3, saidLRs: "3e-3,1e-2,3e-2", didLRs: "3e-4,1e-3,3e-3", baseLR: 5e-4, seeds: "1,2,3",
	ratio: 1.25, maxBisect: 12}

func runSweep(args []string) error {
	if len(args) > 0 && args[0] == "merge" {
		return runSweepMerge(args[1:])
	}
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	var f sweepFlags
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: idim sweep --out DIR [--model M] [--task T] [--method said|did] [flags]
       idim sweep merge --out DIR FILE|DIR...

Finds d90 (Aghajanyan et al. 2021): the smallest subspace dimension d whose
mean dev score over the seeds reaches --fraction (0.9) of full
fine-tuning's. Runs the full fine-tuning baseline (cached by model hash,
task and hyperparameters), then subspace runs over a log grid of d (each d
with every --lrs and --seeds; the learning rate with the best mean dev score
is kept), then bisects between the largest d below and the smallest d above
the threshold. Every finished run is appended to DIR/results.jsonl; the same
command after a kill resumes where it stopped. Writes DIR/d90.json,
table.md, plot.png and plot.svg.

--shard I/N runs only the I-th of N shares of the grid (into
results.shard-I-of-N.jsonl); merge the shards with `+"`idim sweep merge`"+`, then
run the same sweep without --shard on the merged directory to bisect.

flags:
`)
		fs.PrintDefaults()
	}
	f.register(fs, sweepDefaults)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.out == "" {
		return fmt.Errorf("sweep: --out is required")
	}
	var progress io.Writer = os.Stderr
	if f.quiet {
		progress = nil
	}
	r, c, err := f.setup(progress)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := sweepAndReport(ctx, r, c, progress)
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	_ = res
	return nil
}

// sweepAndReport runs the sweep and prints the table, the d90 line, the
// trainable-params line and where the report is.
func sweepAndReport(ctx context.Context, r bench.Runner, c bench.Config, progress io.Writer) (bench.Result, error) {
	t0 := time.Now()
	if progress != nil {
		fmt.Fprintf(progress, "sweep: %s/%s, grid %v, lrs %v, seeds %v; results in %s\n", c.Method, c.Projector, c.Grid, c.LRs, c.Seeds, bench.ResultsFile(c.Dir, c.Shard))
	}
	res, err := bench.Sweep(ctx, r, c)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(os.Stderr, "idim: interrupted; every finished run is in", bench.ResultsFile(c.Dir, c.Shard), "and the same command resumes")
			os.Exit(130)
		}
		return res, err
	}
	if c.Shard.N > 0 {
		fmt.Printf("shard %s: %d runs in %s (%.0fs); merge the shards with `idim sweep merge --out DIR %s/results.shard-*.jsonl`\n",
			c.Shard, res.Runs, bench.ResultsFile(c.Dir, c.Shard), time.Since(t0).Seconds(), c.Dir)
		return res, nil
	}
	fmt.Println()
	fmt.Print(res.Table())
	fmt.Println()
	fmt.Println(res.D90Line())
	if res.AllParams > 0 && res.Hi > 0 {
		// At d90, or at the largest d tried when no d reached the threshold.
		at := "at d90"
		if !res.Found {
			at = "at the largest d tried"
		}
		fmt.Printf("trainable params: %d || all params: %d || trainable%%: %f (%s)\n", res.Hi, res.AllParams, 100*float64(res.Hi)/float64(res.AllParams), at)
	}
	fmt.Printf("report: %s (d90.json, table.md, plot.png, plot.svg); %d runs, %.0fs of training in all, %.0fs in this invocation\n", c.Dir, res.Runs, res.Seconds, time.Since(t0).Seconds())
	return res, nil
}

func runSweepMerge(args []string) error {
	fs := flag.NewFlagSet("sweep merge", flag.ContinueOnError)
	out := fs.String("out", "", "directory of the merged results.jsonl and report (required)")
	frac := fs.Float64("fraction", 0.9, "d90 threshold as a fraction of the baseline")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: idim sweep merge --out DIR FILE|DIR...

Joins results files (a directory stands for its results*.jsonl), one
record per key; records with the same key and different scores are
reported as conflicts (the first is kept). Writes DIR/results.jsonl and the
report of the merged grid (d90.json, table.md, plots). To bisect, run the
sharded sweep's command again without --shard and with --out DIR.

flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if *out == "" || fs.NArg() == 0 {
		return fmt.Errorf("sweep merge: want --out DIR and at least one results file")
	}
	var files []string
	for _, a := range fs.Args() {
		if st, err := os.Stat(a); err == nil && st.IsDir() {
			m, _ := filepath.Glob(filepath.Join(a, "results*.jsonl"))
			if len(m) == 0 {
				return fmt.Errorf("sweep merge: %s holds no results*.jsonl", a)
			}
			files = append(files, m...)
			continue
		}
		files = append(files, a)
	}
	rep, err := bench.Merge(*out, files, *frac)
	for _, w := range rep.Warnings {
		fmt.Fprintln(os.Stderr, "idim: warning:", w)
	}
	for _, c := range rep.Conflicts {
		fmt.Fprintln(os.Stderr, "idim: conflict:", c)
	}
	if err != nil {
		return fmt.Errorf("sweep merge: %w", err)
	}
	fmt.Printf("merged %d files: %d records (%d duplicates, %d conflicts) into %s\n", rep.Files, rep.Records, rep.Duplicates, len(rep.Conflicts), filepath.Join(*out, "results.jsonl"))
	for _, r := range rep.Results {
		fmt.Printf("%s/%s: %s\n  %s\n", r.Method, r.Projector, r.D90Line(), r.How)
	}
	return nil
}
