package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/idim-go/idim/models"
)

func init() {
	register(command{"demo", "find d90 of the embedded default model on the sentiment task (SAID, Fastfood)", runDemo})
}

// demoDefaults: the shipped default model on sentiment, SAID with
// Fastfood and size-scaled lambdas (train's defaults: lambda_t =
// sqrt(n_t/n_max), 10 epochs), a log grid from 100 to 100000 (2 per
// decade), lrs 3e-3 and 1e-2 (around train's SAID default, measured in
// EXPERIMENTS.md section 5; 3e-4, 1e-3 and 3e-3 for --method did, which
// has no per-tensor scales and collapses at large d with a fixed 1e-3:
// EXPERIMENTS.md section 11), one seed, bisection to
// a ratio of 1.5. About 4 minutes on two quiet cores (251 s, 19 runs; d90 =
// 1000 at lr 1e-2, baseline dev 0.7960).
var demoDefaults = sweepFlags{model: models.Default, task: "sentiment", method: "said", projector: "fastfood",
	dMin: 100, dMax: 100000, perDecade: 2, saidLRs: "3e-3,1e-2", didLRs: "3e-4,1e-3,3e-3", baseLR: 5e-4, seeds: "1",
	ratio: 1.5, maxBisect: 6, out: filepath.Join(os.TempDir(), "idim-demo-out"), fullEpochs: 3}

// quickDemo overrides the defaults (not flags given explicitly) for CI:
// under a minute on two cores. 200 updates per run is about the fewest at
// which the SAID scores rise above the majority class and with d (dev 0.58,
// 0.63, 0.64 at d = 100, 548, 3000; 60 updates left every run at chance).
var quickDemo = map[string]string{
	"d-max": "3000", "per-decade": "1", "max-bisect": "1", "max-steps": "200", "max-len": "48", "lrs": "1e-2",
	"out": filepath.Join(os.TempDir(), "idim-demo-out-quick"),
}

func runDemo(args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	var f sweepFlags
	quick := fs.Bool("quick", false, "a short run for CI (under a minute on 2 cores): "+quickHelp())
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: idim demo [--quick] [flags]

Finds d90 of the embedded default model (%s) on the shipped sentiment task
with SAID and the Fastfood projection: full fine-tuning first (the
baseline), then SAID runs over a small log grid of d and bisection toward
90%% of the baseline's dev accuracy. Prints the table, the d90 line and the
"trainable params" line, and writes d90.json, table.md, plot.png and
plot.svg into --out (default $TMPDIR/idim-demo-out, or
$TMPDIR/idim-demo-out-quick with --quick: a fixed path, so a second demo
resumes). Finished runs are kept in results.jsonl: the same command resumes,
and a second demo with the same flags prints the result at once. Every
sweep flag works here too (see `+"`idim sweep --help`"+`).

flags:
`, models.Default)
		fs.PrintDefaults()
	}
	f.register(fs, demoDefaults)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *quick {
		set := map[string]bool{}
		fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
		for k, v := range quickDemo {
			if !set[k] {
				if err := fs.Set(k, v); err != nil {
					return fmt.Errorf("demo: %w", err)
				}
			}
		}
	}
	var progress io.Writer = os.Stderr
	if f.quiet {
		progress = nil
	}
	t0 := time.Now()
	r, c, err := f.setup(progress)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	if progress != nil {
		m := r.Base.Model.Config
		fmt.Fprintf(progress, "idim demo: model %s (%d layers x %d, %d parameters), task %s (%d train / %d dev / %d test), SAID + %s\n",
			f.model, m.NumHiddenLayers, m.HiddenSize, r.Base.Model.NumParams(), r.Task.Name, len(r.Task.Train), len(r.Task.Dev), len(r.Task.Test), c.Projector)
	}
	ctx, stop := signalContext()
	defer stop()
	if _, err := sweepAndReport(ctx, r, c, progress); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Printf("demo took %.0fs\n", time.Since(t0).Seconds())
	return nil
}

func quickHelp() string {
	var s []string
	for _, k := range []string{"d-max", "per-decade", "max-bisect", "max-steps", "max-len", "lrs", "out"} {
		s = append(s, "--"+k+" "+quickDemo[k])
	}
	return strings.Join(s, " ")
}
