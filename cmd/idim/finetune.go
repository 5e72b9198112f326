package main

import (
	"flag"
	"fmt"

	"github.com/idim-go/idim/bench"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/train"
)

func init() {
	register(command{"finetune", "fine-tune a model on a task (full, DID or SAID)", runFinetune})
}

func (t *taskFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.text, "text-column", "text", "jsonl/csv tasks: field of the (first) text")
	fs.StringVar(&t.textB, "text-b-column", "", "jsonl/csv tasks: field of the second text of a pair task")
	fs.StringVar(&t.label, "label-column", "label", "jsonl/csv tasks: field of the label")
	fs.StringVar(&t.labels, "labels", "", "jsonl/csv tasks: comma-separated label values in class order (default: labels are 0, 1, ...)")
	fs.BoolVar(&t.regression, "regression", false, "jsonl/csv tasks: the label is a float score (main metric Pearson)")
	fs.Uint64Var(&t.split, "split-seed", 0, "seed of the task's train/dev/test split (0: the task's documented default)")
}

func runFinetune(args []string) error {
	fs := flag.NewFlagSet("finetune", flag.ContinueOnError)
	var tf trainFlags
	var tk taskFlags
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), `usage: idim finetune --task TASK --out DIR [--model NAME|DIR] [--method full|did|said --d N] [flags]

Fine-tunes a RoBERTa-style model for sequence classification. full trains
every parameter; did and said train only a d-dimensional vector theta_d
mapped into all parameters by a fixed random projection (Aghajanyan et al.
2021): theta = theta_0 + P(theta_d) (DID), with one learned scale per tensor
(SAID, d counts them). Writes OUT/config.json, metrics.jsonl, best/ and
final/ (an HF directory for full, an adapter of a few KB for did/said),
result.json and ckpt/. Ctrl-C saves a checkpoint; --resume continues it.

%s

flags:
`, tk.help())
		fs.PrintDefaults()
	}
	tf.register(fs, train.MethodFull)
	tk.register(fs)
	var model, tokDir string
	modelFlags(fs, &model, &tokDir, models.Default)
	taskSpec := fs.String("task", "", "the task (required): see above")
	method := fs.String("method", "full", "full, did or said")
	proj := fs.String("projector", "fastfood", "did/said projection: fastfood (the paper's), fastfood-block (blocked Fastfood, several times cheaper on large models), fastfood-split, dense or sparse")
	d := fs.Int("d", 0, "did/said: trainable dimension d (SAID's per-tensor scales included)")
	subSeed := fs.Uint64("subspace-seed", 0, "seed of the projection (0: --seed)")
	lambdaInit := fs.String("lambda-init", "", "said: initial lambda_t, size (sqrt(n_t/n_max), the default) or one")
	evalTrain := fs.Bool("eval-train", false, "also score the training split at the end")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := tf.applyThreads(); err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	switch *method {
	case "full":
		if *d != 0 {
			return fmt.Errorf("finetune: --d is for --method did or said")
		}
	case "did", "said":
		if *d <= 0 {
			return fmt.Errorf("finetune: --method %s needs --d N > 0", *method)
		}
	default:
		return fmt.Errorf("finetune: --method %q: want full, did or said", *method)
	}
	cfg, err := tf.config(*method)
	if err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	if err := checkLambdaInit(*lambdaInit, *method); err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	cfg.Projector, cfg.D, cfg.SubspaceSeed, cfg.EvalTrain, cfg.LambdaInit = *proj, *d, *subSeed, *evalTrain, *lambdaInit
	if cfg, err = cfg.Resolve(); err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	task, err := tk.loadTask(*taskSpec)
	if err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	m, tok, dir, err := loadModel(model, tokDir, 0)
	if err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	m, err = train.ForTask(m, task.NumLabels, cfg.Seed)
	if err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	base, err := train.NewBase(m, tok)
	if err != nil {
		return fmt.Errorf("finetune: %w", err)
	}
	base.Hash = bench.ModelHash(dir)
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "model %s (%d layers x %d); task %s\n", dir, m.Config.NumHiddenLayers, m.Config.HiddenSize, task)
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := train.FineTune(ctx, base, task, cfg)
	if err != nil {
		return trainErr(fmt.Errorf("finetune: %w", err))
	}
	_, maj, _ := task.Majority(task.Dev)
	fmt.Println(res.ParamsLine())
	fmt.Printf("dev %s %.4f (majority baseline %.4f) at step %d/%d; test %s %.4f; %.1fs; outputs in %s\n",
		task.Metric, res.DevScore, maj.Main(task), res.BestStep, res.Steps, task.Metric, res.TestScore, res.Seconds, cfg.Out)
	return nil
}
