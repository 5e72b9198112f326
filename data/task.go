package data

import (
	"fmt"
	"maps"
	"slices"
)

// NoLabel is the Label of an example that has no gold label (GLUE test files).
const NoLabel = -1

// Example is one input of a task: a text, or a pair of texts, and its gold
// label.
type Example struct {
	// ID says where the example came from, e.g. "amazon:17" (file and row) or
	// "Genesis 1:3"; loaders of user files set it to "file:line".
	ID string
	// Text is the first (or only) text; TextB is the second text of a pair
	// task and empty otherwise.
	Text, TextB string
	// Label is the class index in [0, NumLabels) of a classification task, or
	// NoLabel when the example is unlabelled.
	Label int
	// Score is the target of a regression task (NumLabels == 1, e.g. STS-B);
	// it is 0 for classification. An unlabelled regression example has
	// Label == NoLabel.
	Score float32
}

// HasLabel reports whether the example carries a gold label or score.
func (e Example) HasLabel() bool { return e.Label != NoLabel }

// Main metric names (the keys of Scores).
const (
	MetricAccuracy = "accuracy"
	MetricF1       = "f1"
	MetricMCC      = "mcc"
	MetricPearson  = "pearson"
	MetricSpearman = "spearman"
)

// Task is a labelled data set split three ways.
type Task struct {
	Name string
	// NumLabels is the number of classes; 1 means regression on
	// Example.Score (as num_labels in Hugging Face configs).
	NumLabels int
	// LabelNames[i] is the name of class i (nil for regression).
	LabelNames []string
	// Metric is the task's main metric, one of the Metric* names; d90 is
	// measured on it.
	Metric string
	// Train, Dev and Test are the splits. Test may be nil (a GLUE directory
	// without test.tsv) and its examples may be unlabelled.
	Train, Dev, Test []Example
	// Report counts what the loader read, kept and skipped.
	Report LoadReport
}

// Regression reports whether the task predicts a score instead of a class.
func (t *Task) Regression() bool { return t.NumLabels == 1 }

// String is a one-line summary: name, sizes and main metric.
func (t *Task) String() string {
	return fmt.Sprintf("%s: %d labels, train %d, dev %d, test %d, metric %s",
		t.Name, t.NumLabels, len(t.Train), len(t.Dev), len(t.Test), t.Metric)
}

// MaxProblems is how many skipped-row messages a LoadReport keeps; further
// skips are only counted.
const MaxProblems = 20

// LoadReport says what a loader did with its input. Libraries do not print:
// the caller decides whether to show Problems.
type LoadReport struct {
	// Rows is the number of data rows (or JSON elements) read, all files
	// together, headers and blank lines not counted.
	Rows int
	// Kept is the number of examples returned.
	Kept int
	// Skipped counts rows dropped as bad input (null label, malformed row
	// when Options.SkipBadRows is set).
	Skipped int
	// Duplicates counts rows dropped because the same example was already
	// kept (the shipped sentiment task drops repeated sentences so that no
	// copy of a test sentence sits in train).
	Duplicates int
	// Problems holds "file:line: reason" for the first MaxProblems skipped
	// rows.
	Problems []string
}

func (r *LoadReport) skip(msg string) {
	r.Skipped++
	if len(r.Problems) < MaxProblems {
		r.Problems = append(r.Problems, msg)
	}
}

// keep records one row read as ex with error err: ex is appended to out
// when err is nil; a bad row fails the read (err is returned) unless
// opts.SkipBadRows, which counts it as skipped.
func (r *LoadReport) keep(out []Example, ex Example, err error, opts Options) ([]Example, error) {
	if err == nil {
		return append(out, ex), nil
	}
	if !opts.SkipBadRows {
		return nil, err
	}
	r.skip(err.Error())
	return out, nil
}

func (r *LoadReport) add(o LoadReport) {
	r.Rows += o.Rows
	r.Kept += o.Kept
	r.Skipped += o.Skipped
	r.Duplicates += o.Duplicates
	for _, p := range o.Problems {
		if len(r.Problems) < MaxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

// Options control loading.
type Options struct {
	// Seed picks the split (and, for paraphrase, the negatives and the text
	// order). 0 means the task's documented default seed, which is the split
	// that data/README.md describes.
	Seed uint64
	// SkipBadRows drops malformed rows (ragged, bad label, invalid UTF-8,
	// missing field) and counts them in the LoadReport instead of failing on
	// the first one. Errors that concern a whole file (missing, empty, no
	// header, missing column) are returned either way.
	SkipBadRows bool
}

// RowError is a problem with one row of an input file.
type RowError struct {
	File string
	Line int // 1-based
	Msg  string
}

func (e *RowError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// LabelCounts returns how many examples carry each label (index NumLabels
// holds the unlabelled ones).
func LabelCounts(ex []Example, numLabels int) []int {
	c := make([]int, numLabels+1)
	for _, e := range ex {
		if e.Label >= 0 && e.Label < numLabels {
			c[e.Label]++
		} else {
			c[numLabels]++
		}
	}
	return c
}

// shippedTask builds one of the tasks shipped with the package.
type shippedTask struct {
	seed uint64 // default seed
	load func(seed uint64, opts Options) (*Task, error)
	doc  string
}

var registry = map[string]shippedTask{
	"sentiment":  {seed: SentimentSeed, load: loadSentiment, doc: "UCI Sentiment Labelled Sentences (Amazon, IMDb, Yelp), binary"},
	"paraphrase": {seed: ParaphraseSeed, load: loadParaphrase, doc: "KJV vs WEB Bible verse pairs, binary paraphrase, split by book"},
}

// Names lists the tasks that Load knows, sorted.
func Names() []string { return slices.Sorted(maps.Keys(registry)) }

// Describe returns a one-line description of a shipped task ("" if unknown).
func Describe(name string) string { return registry[name].doc }

// Load builds a task shipped with the package ("sentiment", "paraphrase").
// Its files are embedded, so this works from any directory.
func Load(name string, opts Options) (*Task, error) {
	t, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("data: unknown task %q (shipped tasks: %v; use LoadGLUE, LoadJSONL or LoadCSV for your own data)", name, Names())
	}
	seed := opts.Seed
	if seed == 0 {
		seed = t.seed
	}
	return t.load(seed, opts)
}
