package data

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Columns names the fields of a user's JSONL or CSV file (the CLI's
// --text-column, --text-b-column and --label-column).
type Columns struct {
	// Text is the field of the first text (required); TextB the second text
	// of a pair task ("" for single-text tasks).
	Text, TextB string
	// Label is the label field; "" reads unlabelled examples.
	Label string
	// Labels lists the label values in class-id order, e.g. {"neg", "pos"}.
	// Without it labels must be class indices 0, 1, ... (JSON false/true
	// count as 0/1).
	Labels []string
	// Regression reads the label as a float score (Example.Score).
	Regression bool
	// Comma is the CSV field separator (default ','; '\t' for TSV with CSV
	// quoting). Ignored by JSONL.
	Comma rune
}

func (c Columns) check() error {
	if c.Text == "" {
		return errors.New("data: Columns.Text is empty: name the text field")
	}
	if c.Regression && c.Labels != nil {
		return errors.New("data: Columns.Labels and Columns.Regression both set")
	}
	return nil
}

func (c Columns) labels() labelSpec { return labelSpec{values: c.Labels, regression: c.Regression} }

// LoadJSONL reads one JSON object per line ("file:line" errors; blank lines
// are ignored, fields other than the named ones too).
func LoadJSONL(path string, cols Columns, opts Options) ([]Example, LoadReport, error) {
	return loadFile(path, cols, opts, ReadJSONL)
}

// loadFile opens path and reads it with read (ReadJSONL or ReadCSV), which
// names the file in its errors.
func loadFile(path string, cols Columns, opts Options, read func(io.Reader, string, Columns, Options) ([]Example, LoadReport, error)) ([]Example, LoadReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, LoadReport{}, fmt.Errorf("data: %w", err)
	}
	defer f.Close()
	return read(f, path, cols, opts)
}

// ReadJSONL is LoadJSONL on a reader; name is used in errors.
func ReadJSONL(r io.Reader, name string, cols Columns, opts Options) ([]Example, LoadReport, error) {
	var rep LoadReport
	if err := cols.check(); err != nil {
		return nil, rep, err
	}
	l := newLines(r, name)
	var out []Example
	for l.next() {
		if strings.TrimSpace(l.text) == "" {
			continue
		}
		rep.Rows++
		ex, err := jsonlRow(l, cols)
		if out, err = rep.keep(out, ex, err, opts); err != nil {
			return nil, rep, err
		}
	}
	if l.err != nil {
		return nil, rep, l.err
	}
	return finish(name, out, rep)
}

func finish(name string, out []Example, rep LoadReport) ([]Example, LoadReport, error) {
	if rep.Rows == 0 {
		return nil, rep, fmt.Errorf("%s: empty file (no data rows)", name)
	}
	if len(out) == 0 {
		return nil, rep, fmt.Errorf("%s: all %d rows were bad (first: %s)", name, rep.Rows, rep.Problems[0])
	}
	rep.Kept = len(out)
	return out, rep, nil
}

func jsonlRow(l *lines, cols Columns) (Example, error) {
	if e := l.validLine(); e != nil {
		return Example{}, e
	}
	var obj map[string]json.RawMessage
	d := json.NewDecoder(strings.NewReader(l.text))
	d.UseNumber()
	if err := d.Decode(&obj); err != nil {
		return Example{}, l.rowErr("not a JSON object: %v", err)
	}
	if d.More() {
		return Example{}, l.rowErr("more than one JSON value on the line")
	}
	text := func(field string) (string, error) {
		raw, ok := obj[field]
		if !ok {
			return "", l.rowErr("missing field %q", field)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", l.rowErr("field %q is %s, want a string", field, jsonKind(raw))
		}
		return s, nil
	}
	ex := Example{ID: fmt.Sprintf("%s:%d", l.file, l.line), Label: NoLabel}
	var err error
	if ex.Text, err = text(cols.Text); err != nil {
		return ex, err
	}
	if cols.TextB != "" {
		if ex.TextB, err = text(cols.TextB); err != nil {
			return ex, err
		}
	}
	if cols.Label == "" {
		return ex, nil
	}
	raw, ok := obj[cols.Label]
	if !ok {
		return ex, l.rowErr("missing field %q", cols.Label)
	}
	var v string
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) > 0 && raw[0] == '"':
		_ = json.Unmarshal(raw, &v)
	case string(raw) == "true" && cols.Labels == nil:
		v = "1"
	case string(raw) == "false" && cols.Labels == nil:
		v = "0"
	case string(raw) == "null" || len(raw) > 0 && (raw[0] == '{' || raw[0] == '['):
		return ex, l.rowErr("field %q is %s, want a label", cols.Label, jsonKind(raw))
	default:
		v = string(raw)
	}
	id, score, err := cols.labels().parse(v)
	if err != nil {
		return ex, l.rowErr("field %q: %v", cols.Label, err)
	}
	ex.Label, ex.Score = id, score
	return ex, nil
}

func jsonKind(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "empty"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// LoadCSV reads a CSV file (RFC 4180 quoting) whose first row names the
// columns. Ragged rows, missing columns, bad labels and invalid UTF-8 are
// errors with the file and line.
func LoadCSV(path string, cols Columns, opts Options) ([]Example, LoadReport, error) {
	return loadFile(path, cols, opts, ReadCSV)
}

// ReadCSV is LoadCSV on a reader; name is used in errors.
func ReadCSV(r io.Reader, name string, cols Columns, opts Options) ([]Example, LoadReport, error) {
	var rep LoadReport
	if err := cols.check(); err != nil {
		return nil, rep, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	if cols.Comma != 0 {
		cr.Comma = cols.Comma
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, rep, fmt.Errorf("%s: empty file (want a header row naming the columns)", name)
	}
	if err != nil {
		return nil, rep, csvErr(name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\uFEFF")
	}
	for _, h := range header {
		if !utf8.ValidString(h) {
			return nil, rep, &RowError{File: name, Line: 1, Msg: "invalid UTF-8 in the header"}
		}
	}
	header = slices.Clone(header)
	idx := func(field string) (int, error) {
		i := slices.Index(header, field)
		if i < 0 {
			return -1, fmt.Errorf("%s:1: no column %q in header %q", name, field, header)
		}
		return i, nil
	}
	ti, err := idx(cols.Text)
	if err != nil {
		return nil, rep, err
	}
	bi, li := -1, -1
	if cols.TextB != "" {
		if bi, err = idx(cols.TextB); err != nil {
			return nil, rep, err
		}
	}
	if cols.Label != "" {
		if li, err = idx(cols.Label); err != nil {
			return nil, rep, err
		}
	}
	labels := cols.labels()
	var out []Example
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rep.Rows++
		var ex Example
		if err != nil {
			err = csvErr(name, err)
		} else {
			line, _ := cr.FieldPos(0)
			ex, err = csvRow(rec, header, name, line, ti, bi, li, labels)
		}
		if out, err = rep.keep(out, ex, err, opts); err != nil {
			return nil, rep, err
		}
	}
	return finish(name, out, rep)
}

func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{File: name, Line: pe.Line, Msg: fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return fmt.Errorf("%s: %w", name, err)
}

func csvRow(rec, header []string, name string, line, ti, bi, li int, labels labelSpec) (Example, error) {
	bad := func(format string, a ...any) error {
		return &RowError{File: name, Line: line, Msg: fmt.Sprintf(format, a...)}
	}
	if len(rec) != len(header) {
		return Example{}, bad("%d fields, the header has %d (ragged row)", len(rec), len(header))
	}
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return Example{}, bad("invalid UTF-8 in column %q", header[i])
		}
	}
	ex := Example{ID: name + ":" + strconv.Itoa(line), Text: rec[ti], Label: NoLabel}
	if bi >= 0 {
		ex.TextB = rec[bi]
	}
	if li >= 0 {
		id, score, err := labels.parse(rec[li])
		if err != nil {
			return Example{}, bad("column %q: %v", header[li], err)
		}
		ex.Label, ex.Score = id, score
	}
	return ex, nil
}
