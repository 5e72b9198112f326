package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/idim-go/idim/bench"
	"github.com/idim-go/idim/models"
)

func init() {
	register(command{"study", "run one of the paper's studies: " + strings.Join(bench.StudyNames(), ", "), runStudy})
}

// studyDefaults are the demo's protocol (demoDefaults: train's epochs per
// method, SAID lrs 3e-3 and 1e-2, DID lrs 3e-4, 1e-3 and 3e-3, one seed,
// bisection to a ratio of 1.5), so a study's d90 for the default model
// equals the demo's.
var studyDefaults = sweepFlags{model: models.Default, task: "sentiment", method: "said", projector: "fastfood",
	dMin: 100, dMax: 100000, perDecade: 2, saidLRs: "3e-3,1e-2", didLRs: "3e-4,1e-3,3e-3", baseLR: 5e-4, seeds: "1",
	ratio: 1.5, maxBisect: 6, fullEpochs: 3}

var stepRE = regexp.MustCompile(`(\d+)\D*$`)

func runStudy(args []string) error {
	fs := flag.NewFlagSet("study", flag.ContinueOnError)
	var f sweepFlags
	modelList := fs.String("models", "", "comma-separated models (shipped names or directories); default: every shipped model ("+strings.Join(models.Names(), ", ")+"); for pretraining: the checkpoints in order")
	taskList := fs.String("tasks", "sentiment,paraphrase", "comma-separated tasks")
	methods := fs.String("methods", "did,said", "did-vs-said: the methods compared")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: idim study NAME --out DIR [flags]\n\nstudies:\n")
		for _, n := range bench.StudyNames() {
			fmt.Fprintf(fs.Output(), "  %-15s %s\n", n, bench.Studies[n])
		}
		fmt.Fprintf(fs.Output(), `
Each study runs one d90 sweep per (model, task[, method]) into
DIR/<model>/<task>/<method> (resumable like `+"`idim sweep`"+`; a finished sweep
is not rerun), then writes DIR/study.md, study.json and study.png/.svg.
pretraining takes --models CKPT1,CKPT2,... (HF model directories saved
along one pre-training run; the step is the last number in each path).
generalization scores the training split of every run (--eval-train).

flags (also every sweep flag):
`)
		fs.PrintDefaults()
	}
	f.register(fs, studyDefaults)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fs.Usage()
		return fmt.Errorf("study: name a study: %s", strings.Join(bench.StudyNames(), ", "))
	}
	name := args[0]
	if _, ok := bench.Studies[name]; !ok {
		return fmt.Errorf("study %q: unknown; want one of %s", name, strings.Join(bench.StudyNames(), ", "))
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if f.out == "" {
		return fmt.Errorf("study: --out is required")
	}
	ms := splitList(*modelList)
	if len(ms) == 0 {
		if name == "pretraining" {
			return fmt.Errorf("study pretraining: --models CKPT1,CKPT2,... (checkpoint directories of one pre-training run) is required")
		}
		ms = models.Names()
	}
	tasks := splitList(*taskList)
	meths := []string{f.method}
	if name == "did-vs-said" {
		meths = splitList(*methods)
	}
	if name == "generalization" {
		f.evalTrain = true
	}
	var progress io.Writer = os.Stderr
	if f.quiet {
		progress = nil
	}
	ctx, stop := signalContext()
	defer stop()
	var rows []bench.StudyRow
	for _, m := range ms {
		for _, t := range tasks {
			for _, meth := range meths {
				g := f
				g.model, g.task, g.method = m, t, meth
				label := filepath.Base(filepath.Clean(m))
				g.out = filepath.Join(f.out, label, t, meth)
				row := bench.StudyRow{Label: label, Dir: g.out}
				if s := stepRE.FindStringSubmatch(m); s != nil && name == "pretraining" {
					row.Step, _ = strconv.Atoi(s[1])
				}
				if progress != nil {
					fmt.Fprintf(progress, "\n== study %s: %s, %s, %s -> %s\n", name, m, t, meth, g.out)
				}
				r, c, err := g.setup(progress)
				if err != nil {
					return fmt.Errorf("study %s: %s/%s/%s: %w", name, m, t, meth, err)
				}
				res, err := sweepAndReport(ctx, r, c, progress)
				if f.reportOnly && (errors.Is(err, os.ErrNotExist) || err == nil && res.Runs == 0) {
					fmt.Fprintf(os.Stderr, "idim: study %s: %s has no results yet; left out of the report\n", name, g.out)
					continue
				}
				if err != nil {
					return fmt.Errorf("study %s: %w", name, err)
				}
				row.Result = res
				rows = append(rows, row)
				if err := bench.StudyReport(f.out, name, rows); err != nil {
					return err
				}
			}
		}
	}
	noun := "sweeps"
	if len(rows) == 1 {
		noun = "sweep"
	}
	fmt.Printf("\nstudy %s: %d %s; report in %s (study.md, study.json, study.png, study.svg)\n", name, len(rows), noun, f.out)
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
