package data

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// glueSpec describes the TSV layout of one GLUE task as the GLUE benchmark
// distributes it (tab-separated, no quoting, a header row except CoLA's
// train and dev files).
type glueSpec struct {
	text, textB, label string   // column names in the header
	values             []string // label strings in class-id order (nil: regression)
	names              []string // class names (Task.LabelNames)
	metric             string
	dev, test          string // file names (train is always train.tsv)
	// headerless lists the column names of train/dev files that have no
	// header (CoLA); their test file does have one.
	headerless []string
}

var glueSpecs = map[string]glueSpec{
	"cola": {text: "sentence", label: "label", values: []string{"0", "1"}, names: []string{"unacceptable", "acceptable"},
		metric: MetricMCC, headerless: []string{"source", "label", "original_label", "sentence"}},
	"sst-2": {text: "sentence", label: "label", values: []string{"0", "1"}, names: []string{"negative", "positive"},
		metric: MetricAccuracy},
	"mrpc": {text: "#1 String", textB: "#2 String", label: "Quality", values: []string{"0", "1"},
		names: []string{"not_equivalent", "equivalent"}, metric: MetricAccuracy},
	"qqp": {text: "question1", textB: "question2", label: "is_duplicate", values: []string{"0", "1"},
		names: []string{"not_duplicate", "duplicate"}, metric: MetricAccuracy},
	"sts-b": {text: "sentence1", textB: "sentence2", label: "score", metric: MetricPearson},
	"mnli": {text: "sentence1", textB: "sentence2", label: "gold_label",
		values: []string{"entailment", "neutral", "contradiction"}, names: []string{"entailment", "neutral", "contradiction"},
		metric: MetricAccuracy, dev: "dev_matched.tsv", test: "test_matched.tsv"},
	"qnli": {text: "question", textB: "sentence", label: "label", values: []string{"entailment", "not_entailment"},
		names: []string{"entailment", "not_entailment"}, metric: MetricAccuracy},
	"rte": {text: "sentence1", textB: "sentence2", label: "label", values: []string{"entailment", "not_entailment"},
		names: []string{"entailment", "not_entailment"}, metric: MetricAccuracy},
	"wnli": {text: "sentence1", textB: "sentence2", label: "label", values: []string{"0", "1"},
		names: []string{"not_entailment", "entailment"}, metric: MetricAccuracy},
}

// GLUETasks lists the GLUE task names LoadGLUE accepts (lower case; "sst2",
// "stsb" and upper case are accepted too).
func GLUETasks() []string { return slices.Sorted(maps.Keys(glueSpecs)) }

func glueSpecFor(task string) (string, glueSpec, error) {
	name := strings.ToLower(task)
	switch name {
	case "sst2":
		name = "sst-2"
	case "stsb":
		name = "sts-b"
	}
	s, ok := glueSpecs[name]
	if !ok {
		return "", s, fmt.Errorf("data: unknown GLUE task %q (known: %v)", task, GLUETasks())
	}
	if s.dev == "" {
		s.dev = "dev.tsv"
	}
	if s.test == "" {
		s.test = "test.tsv"
	}
	return name, s, nil
}

// LoadGLUE reads a GLUE task directory as the GLUE benchmark ships it:
// train.tsv, dev.tsv (MNLI: dev_matched.tsv) and, if present, test.tsv
// (MNLI: test_matched.tsv), whose examples are unlabelled (Label NoLabel).
// Columns are found by their header names:
//
//	CoLA   train/dev: no header, source label original_label sentence; test: index sentence
//	SST-2  sentence label; test: index sentence
//	MRPC   Quality #1 ID #2 ID #1 String #2 String; test: index #1 ID #2 ID #1 String #2 String
//	QQP    id qid1 qid2 question1 question2 is_duplicate; test: id question1 question2
//	STS-B  index genre filename year old_index source1 source2 sentence1 sentence2 score (float, regression)
//	MNLI   index promptID pairID genre ... sentence1 sentence2 [label1 ...] gold_label
//	QNLI   index question sentence label (entailment, not_entailment)
//	RTE    index sentence1 sentence2 label (entailment, not_entailment)
//	WNLI   index sentence1 sentence2 label (0, 1)
//
// Label ids follow the Hugging Face GLUE datasets (MNLI: entailment 0,
// neutral 1, contradiction 2). Main metrics: CoLA MCC, STS-B Pearson, the
// rest accuracy (as Aghajanyan et al. report MRPC and QQP; Evaluate also
// gives F1 for binary tasks).
func LoadGLUE(dir, task string, opts Options) (*Task, error) {
	name, spec, err := glueSpecFor(task)
	if err != nil {
		return nil, err
	}
	t := &Task{Name: name, NumLabels: len(spec.values), LabelNames: spec.names, Metric: spec.metric}
	if spec.values == nil {
		t.NumLabels = 1
	}
	parts := []struct {
		file     string
		dst      *[]Example
		optional bool
	}{{"train.tsv", &t.Train, false}, {spec.dev, &t.Dev, false}, {spec.test, &t.Test, true}}
	for _, p := range parts {
		path := filepath.Join(dir, p.file)
		ex, rep, err := LoadGLUEFile(path, name, opts)
		if err != nil {
			if p.optional && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, err
		}
		*p.dst = ex
		t.Report.add(rep)
	}
	return t, nil
}

// LoadGLUEFile reads one GLUE TSV file of a task (for example MNLI's
// dev_mismatched.tsv). A file without the label column gives unlabelled
// examples.
func LoadGLUEFile(path, task string, opts Options) ([]Example, LoadReport, error) {
	name, spec, err := glueSpecFor(task)
	if err != nil {
		return nil, LoadReport{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, LoadReport{}, fmt.Errorf("data: GLUE %s: %w", name, err)
	}
	defer f.Close()
	return readGLUE(f, path, spec, opts)
}

func readGLUE(r io.Reader, file string, spec glueSpec, opts Options) ([]Example, LoadReport, error) {
	var rep LoadReport
	l := newLines(r, file)
	if !l.next() {
		if l.err != nil {
			return nil, rep, l.err
		}
		return nil, rep, fmt.Errorf("%s: empty file (want a GLUE TSV with a header row)", file)
	}
	if e := l.validLine(); e != nil {
		return nil, rep, e
	}
	header := strings.Split(l.text, "\t")
	dataOnFirst := false
	if spec.headerless != nil && !slices.Contains(header, spec.text) {
		// CoLA train/dev: no header; the first line is data.
		header, dataOnFirst = spec.headerless, true
	}
	col := func(name string) int { return slices.Index(header, name) }
	ti, bi, li := col(spec.text), -1, col(spec.label)
	if ti < 0 {
		return nil, rep, fmt.Errorf("%s:1: no %q column in header %q", file, spec.text, header)
	}
	if spec.textB != "" {
		if bi = col(spec.textB); bi < 0 {
			return nil, rep, fmt.Errorf("%s:1: no %q column in header %q", file, spec.textB, header)
		}
	}
	labels := labelSpec{values: spec.values, regression: spec.values == nil}
	var out []Example
	for first := true; ; first = false {
		if !(first && dataOnFirst) && !l.next() {
			break
		}
		if l.text == "" {
			continue
		}
		rep.Rows++
		ex, err := glueRow(l, header, ti, bi, li, labels)
		if out, err = rep.keep(out, ex, err, opts); err != nil {
			return nil, rep, err
		}
	}
	if l.err != nil {
		return nil, rep, l.err
	}
	if len(out) == 0 {
		return nil, rep, fmt.Errorf("%s: no data rows", file)
	}
	rep.Kept = len(out)
	return out, rep, nil
}

func glueRow(l *lines, header []string, ti, bi, li int, labels labelSpec) (Example, error) {
	if e := l.validLine(); e != nil {
		return Example{}, e
	}
	f := strings.Split(l.text, "\t")
	if len(f) != len(header) {
		return Example{}, l.rowErr("%d fields, the header has %d (ragged row)", len(f), len(header))
	}
	ex := Example{ID: fmt.Sprintf("%s:%d", l.file, l.line), Text: f[ti], Label: NoLabel}
	if bi >= 0 {
		ex.TextB = f[bi]
	}
	if li >= 0 {
		id, score, err := labels.parse(f[li])
		if err != nil {
			return Example{}, l.rowErr("column %q: %v", header[li], err)
		}
		ex.Label, ex.Score = id, score
	}
	return ex, nil
}
