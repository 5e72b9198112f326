package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

// modelDir resolves --model: a shipped model's name, or a directory.
func modelDir(spec string) (string, error) {
	if spec == "" {
		spec = models.Default
	}
	if models.Has(spec) {
		return models.Dir(spec)
	}
	if st, err := os.Stat(spec); err == nil && st.IsDir() {
		return spec, nil
	}
	return "", fmt.Errorf("--model %q: not a shipped model (%s) nor a directory", spec, strings.Join(models.Names(), ", "))
}

// loadModel loads --model and its tokenizer: --tokenizer when given (a
// directory or a shipped model's name), else the model directory's own, else
// the default shipped model's when its vocabulary fits the model.
func loadModel(spec, tokSpec string, heads transformer.Heads) (*transformer.Model, *tokenizer.Tokenizer, string, error) {
	dir, err := modelDir(spec)
	if err != nil {
		return nil, nil, "", err
	}
	var opts []transformer.Option
	if heads != 0 {
		opts = append(opts, transformer.WithHeads(heads))
	}
	m, _, err := transformer.Load(dir, opts...)
	if err != nil {
		return nil, nil, "", err
	}
	tok, err := loadTokenizer(dir, tokSpec, m.Config.VocabSize)
	if err != nil {
		return nil, nil, "", err
	}
	return m, tok, dir, nil
}

func hasTokenizer(dir string) bool {
	for _, f := range []string{"tokenizer.json", "vocab.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

func loadTokenizer(modelDir, tokSpec string, vocab int) (*tokenizer.Tokenizer, error) {
	from := tokSpec
	switch {
	case tokSpec != "":
		if models.Has(tokSpec) {
			d, err := models.Dir(tokSpec)
			if err != nil {
				return nil, err
			}
			from = d
		}
	case hasTokenizer(modelDir):
		from = modelDir
	default:
		d, err := models.Dir(models.Default)
		if err != nil {
			return nil, err
		}
		tok, err := tokenizer.LoadDir(d)
		if err != nil {
			return nil, err
		}
		if tok.VocabSize() > vocab {
			return nil, fmt.Errorf("%s has no tokenizer (tokenizer.json, or vocab.json and merges.txt) and %s's (%d ids) does not fit its %d-token vocabulary: pass --tokenizer DIR",
				modelDir, models.Default, tok.VocabSize(), vocab)
		}
		fmt.Fprintf(os.Stderr, "idim: %s has no tokenizer; using %s's (pass --tokenizer DIR to choose another)\n", modelDir, models.Default)
		return tok, nil
	}
	tok, err := tokenizer.LoadDir(from)
	if err != nil {
		return nil, fmt.Errorf("--tokenizer: %w", err)
	}
	if tok.VocabSize() > vocab {
		return nil, fmt.Errorf("the tokenizer in %s has %d ids but the model's vocabulary has %d: they do not belong together", from, tok.VocabSize(), vocab)
	}
	return tok, nil
}

// taskFlags select the task: a shipped name, glue:DIR:TASK, or jsonl/csv
// files.
type taskFlags struct {
	text, textB, label, labels string
	regression                 bool
	split                      uint64
}

func (t *taskFlags) help() string {
	return "task: " + strings.Join(data.Names(), ", ") + " (shipped), glue:DIR:TASK (GLUE TSVs: " + strings.Join(data.GLUETasks(), ", ") +
		"), jsonl:TRAIN[,DEV[,TEST]] or csv:TRAIN[,DEV[,TEST]] (one file is split 80/10/10; see --text-column ...)"
}

func (t *taskFlags) loadTask(spec string) (*data.Task, error) {
	if spec == "" {
		return nil, fmt.Errorf("--task is required")
	}
	opts := data.Options{Seed: t.split}
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return data.Load(spec, opts)
	}
	switch kind {
	case "glue":
		i := strings.LastIndex(rest, ":")
		if i < 0 {
			return nil, fmt.Errorf("--task %q: want glue:DIR:TASK, e.g. glue:/data/SST-2:SST-2", spec)
		}
		return data.LoadGLUE(rest[:i], rest[i+1:], opts)
	case "jsonl", "csv", "tsv":
		cols := data.Columns{Text: t.text, TextB: t.textB, Label: t.label, Regression: t.regression}
		if t.labels != "" {
			cols.Labels = strings.Split(t.labels, ",")
		}
		if kind == "tsv" {
			cols.Comma = '\t'
		}
		load := func(p string) ([]data.Example, error) {
			var ex []data.Example
			var err error
			if kind == "jsonl" {
				ex, _, err = data.LoadJSONL(p, cols, opts)
			} else {
				ex, _, err = data.LoadCSV(p, cols, opts)
			}
			return ex, err
		}
		files := strings.Split(rest, ",")
		if len(files) > 3 {
			return nil, fmt.Errorf("--task %q: at most three files (train, dev, test)", spec)
		}
		var splits [3][]data.Example
		for i, f := range files {
			ex, err := load(f)
			if err != nil {
				return nil, err
			}
			splits[i] = ex
		}
		if len(files) == 1 {
			seed := t.split
			if seed == 0 {
				seed = 1
			}
			tr, dv, te, err := data.Split(splits[0], 0.1, 0.1, seed)
			if err != nil {
				return nil, err
			}
			splits = [3][]data.Example{tr, dv, te}
		} else if len(files) == 2 {
			// train and dev given; no test.
		}
		task := &data.Task{Name: filepath.Base(files[0]), Train: splits[0], Dev: splits[1], Test: splits[2], Metric: data.MetricAccuracy}
		if t.regression {
			task.NumLabels, task.Metric = 1, data.MetricPearson
		} else {
			task.LabelNames = cols.Labels
			n := len(cols.Labels)
			for _, s := range splits {
				for _, e := range s {
					n = max(n, e.Label+1)
				}
			}
			if n < 2 {
				return nil, fmt.Errorf("--task %q: fewer than two classes in the labels", spec)
			}
			task.NumLabels = n
		}
		return task, nil
	}
	return nil, fmt.Errorf("--task %q: unknown kind %q; %s", spec, kind, t.help())
}
