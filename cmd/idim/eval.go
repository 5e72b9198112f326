package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/idim-go/idim/bench"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/train"
)

func init() {
	register(command{"eval", "evaluate a model or adapter on a task", runEval})
}

func runEval(args []string) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	var tk taskFlags
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: idim eval --task TASK [--model NAME|DIR] [--adapter DIR] [flags]

Scores a classifier on a split of a task (all metrics, and the majority
baseline). --model is a fine-tuned HF directory (e.g. OUT/best of a full
run), or the base model of --adapter (OUT/best of a did/said run): the
adapter is applied to the base with the classifier head initialised from
--seed, as idim finetune did (its seed is read from the run's config.json
next to the adapter when there is one).

%s

flags:
`, tk.help())
		fs.PrintDefaults()
	}
	tk.register(fs)
	var model, tokDir string
	modelFlags(fs, &model, &tokDir, models.Default)
	adapter := fs.String("adapter", "", "adapter directory (did/said fine-tuning output) to apply to --model")
	taskSpec := fs.String("task", "", "the task (required)")
	split := fs.String("split", "dev", "dev, test or train")
	maxLen := fs.Int("max-len", 128, "longest sequence in tokens")
	seed := fs.Uint64("seed", 0, "seed of the classifier head for --adapter (0: from the run's config.json, else 1)")
	threads := fs.Int("threads", 0, "worker threads (0: all cores)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	tf := trainFlags{threads: *threads}
	if err := tf.applyThreads(); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	task, err := tk.loadTask(*taskSpec)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	var ex []data.Example
	switch *split {
	case "dev":
		ex = task.Dev
	case "test":
		ex = task.Test
	case "train":
		ex = task.Train
	default:
		return fmt.Errorf("eval: --split %q: want dev, test or train", *split)
	}
	if len(ex) == 0 {
		return fmt.Errorf("eval: task %s has no %s split", task.Name, *split)
	}
	m, tok, dir, err := loadModel(model, tokDir, 0)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	s := *seed
	if s == 0 && *adapter != "" {
		var rc struct {
			Seed uint64 `json:"seed"`
		}
		if b, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Clean(*adapter)), "config.json")); err == nil && json.Unmarshal(b, &rc) == nil {
			s = rc.Seed
		}
	}
	if s == 0 {
		s = 1
	}
	m, err = train.ForTask(m, task.NumLabels, s)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if *adapter != "" {
		w, err := subspace.LoadAdapterInto(*adapter, m.Parameters(), bench.ModelHash(dir))
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		fmt.Println(w.Summary())
	}
	scores, err := train.Evaluate(m, tok, task, ex, *maxLen)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	_, maj, err := task.Majority(ex)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	fmt.Printf("%s %s (%d examples): %s\n", task.Name, *split, len(ex), scores)
	fmt.Printf("majority baseline: %s\n", maj)
	return nil
}
