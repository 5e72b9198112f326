package data

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestJSONL(t *testing.T) {
	in := `{"text": "good film", "label": 1, "extra": [1, 2]}

{"text": "bad film", "label": 0}
{"text": "fine", "label": true}
`
	ex, rep, err := ReadJSONL(strings.NewReader(in), "r.jsonl", Columns{Text: "text", Label: "label"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{{ID: "r.jsonl:1", Text: "good film", Label: 1}, {ID: "r.jsonl:3", Text: "bad film", Label: 0}, {ID: "r.jsonl:4", Text: "fine", Label: 1}}
	if len(ex) != 3 || ex[0] != want[0] || ex[1] != want[1] || ex[2] != want[2] || rep.Rows != 3 || rep.Kept != 3 {
		t.Errorf("got %+v %+v", ex, rep)
	}
	// Named string labels, pairs, regression, unlabelled.
	ex, _, err = ReadJSONL(strings.NewReader(`{"a":"x","b":"y","y":"pos"}`+"\n"+`{"a":"z","b":"w","y":"neg"}`),
		"p.jsonl", Columns{Text: "a", TextB: "b", Label: "y", Labels: []string{"neg", "pos"}}, Options{})
	if err != nil || ex[0].Label != 1 || ex[1].Label != 0 || ex[0].TextB != "y" {
		t.Errorf("named labels: %+v %v", ex, err)
	}
	ex, _, err = ReadJSONL(strings.NewReader(`{"a":"x","s":3.25}`), "s.jsonl", Columns{Text: "a", Label: "s", Regression: true}, Options{})
	if err != nil || ex[0].Score != 3.25 || ex[0].Label != 0 {
		t.Errorf("regression: %+v %v", ex, err)
	}
	ex, _, err = ReadJSONL(strings.NewReader(`{"a":"x"}`), "u.jsonl", Columns{Text: "a"}, Options{})
	if err != nil || ex[0].HasLabel() {
		t.Errorf("unlabelled: %+v %v", ex, err)
	}
}

func TestJSONLBad(t *testing.T) {
	cols := Columns{Text: "text", Label: "label"}
	ok := `{"text":"a","label":0}` + "\n"
	cases := []struct{ in, want string }{
		{"", "f.jsonl: empty file"},
		{"\n  \n", "f.jsonl: empty file"},
		{ok + `{"label":1}`, `f.jsonl:2: missing field "text"`},
		{ok + `{"text":"b"}`, `f.jsonl:2: missing field "label"`},
		{ok + `{"text":5,"label":1}`, `f.jsonl:2: field "text" is a number, want a string`},
		{ok + `{"text":"b","label":"pos"}`, `f.jsonl:2: field "label": label "pos" is not a class index`},
		{ok + `{"text":"b","label":-1}`, `f.jsonl:2: field "label": label "-1" is not a class index`},
		{ok + `{"text":"b","label":null}`, `f.jsonl:2: field "label" is null`},
		{ok + `{"text":"b","label":1.5}`, `f.jsonl:2: field "label": label "1.5"`},
		{ok + "{\"text\":\"b\xfe\",\"label\":1}", "f.jsonl:2: invalid UTF-8 at byte 10"},
		{ok + `{"text":"b","label":1`, "f.jsonl:2: not a JSON object"},
		{ok + `["b", 1]`, "f.jsonl:2: not a JSON object"},
		{ok + `{"text":"b","label":1} {}`, "f.jsonl:2: more than one JSON value"},
	}
	for _, c := range cases {
		_, _, err := ReadJSONL(strings.NewReader(c.in), "f.jsonl", cols, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n err  %v\n want %q", c.in, err, c.want)
		}
	}
	ex, rep, err := ReadJSONL(strings.NewReader(ok+`{"text":5}`+"\n"+ok+"{\n"), "f.jsonl", cols, Options{SkipBadRows: true})
	if err != nil || len(ex) != 2 || rep.Skipped != 2 || rep.Rows != 4 || !strings.HasPrefix(rep.Problems[1], "f.jsonl:4:") {
		t.Errorf("SkipBadRows: %v %+v %v", ex, rep, err)
	}
	if _, _, err := ReadJSONL(strings.NewReader(`{"x":1}`), "f.jsonl", cols, Options{SkipBadRows: true}); err == nil || !strings.Contains(err.Error(), "all 1 rows were bad") {
		t.Errorf("all bad: %v", err)
	}
	if _, _, err := ReadJSONL(strings.NewReader(ok), "f.jsonl", Columns{Label: "label"}, Options{}); err == nil {
		t.Error("no text column accepted")
	}
	if _, _, err := LoadJSONL(filepath.Join(t.TempDir(), "missing.jsonl"), cols, Options{}); err == nil || !strings.Contains(err.Error(), "missing.jsonl") {
		t.Errorf("missing file: %v", err)
	}
}

func TestCSV(t *testing.T) {
	in := "\uFEFFid,sentence,other,label\r\n1,\"Hello, world\",x,pos\r\n2,\"multi\nline \"\"quoted\"\"\",y,neg\r\n"
	path := filepath.Join(writeFiles(t, map[string]string{"d.csv": in}), "d.csv")
	ex, rep, err := LoadCSV(path, Columns{Text: "sentence", TextB: "other", Label: "label", Labels: []string{"neg", "pos"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Example{
		{ID: path + ":2", Text: "Hello, world", TextB: "x", Label: 1},
		{ID: path + ":3", Text: "multi\nline \"quoted\"", TextB: "y", Label: 0},
	}
	if len(ex) != 2 || ex[0] != want[0] || ex[1] != want[1] || rep.Kept != 2 {
		t.Errorf("got %+v, want %+v", ex, want)
	}
	ex, _, err = ReadCSV(strings.NewReader("t\tl\na\t2\n"), "t.tsv", Columns{Text: "t", Label: "l", Comma: '\t'}, Options{})
	if err != nil || ex[0].Label != 2 {
		t.Errorf("TSV: %+v %v", ex, err)
	}
}

func TestCSVBad(t *testing.T) {
	cols := Columns{Text: "text", Label: "label"}
	head := "text,label\n"
	cases := []struct{ in, want string }{
		{"", "f.csv: empty file"},
		{head, "f.csv: empty file (no data rows)"},
		{"words,label\na,1\n", `f.csv:1: no column "text"`},
		{head + "a,1\nb\n", "f.csv:3: 1 fields, the header has 2 (ragged row)"},
		{head + "a,1\nb,1,2\n", "f.csv:3: 3 fields, the header has 2"},
		{head + "a,1\nb,yes\n", `f.csv:3: column "label": label "yes" is not a class index`},
		{head + "a,1\n\"b\xff\",1\n", `f.csv:3: invalid UTF-8 in column "text"`},
		{head + "a,1\nb \"x\",1\n", `f.csv:3: column 3: bare " in non-quoted-field`},
		{"te\xffxt,label\n", "f.csv:1: invalid UTF-8 in the header"},
	}
	for _, c := range cases {
		_, _, err := ReadCSV(strings.NewReader(c.in), "f.csv", cols, Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q:\n err  %v\n want %q", c.in, err, c.want)
		}
	}
	ex, rep, err := ReadCSV(strings.NewReader(head+"a,1\nb\nc,z\nd,0\n"), "f.csv", cols, Options{SkipBadRows: true})
	if err != nil || len(ex) != 2 || rep.Skipped != 2 || !strings.HasPrefix(rep.Problems[0], "f.csv:3:") || !strings.HasPrefix(rep.Problems[1], "f.csv:4:") {
		t.Errorf("SkipBadRows: %v %+v %v", ex, rep, err)
	}
}

func TestSplit(t *testing.T) {
	var ex []Example
	for i := range 1000 {
		ex = append(ex, Example{ID: string(rune('a' + i%26)), Label: i % 3 % 2}) // labels 0,1,0: 667 zeros, 333 ones
	}
	tr, dv, te, err := Split(ex, 0.1, 0.2, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr)+len(dv)+len(te) != 1000 {
		t.Fatal("examples lost")
	}
	cd, ct := LabelCounts(dv, 2), LabelCounts(te, 2)
	if cd[0] != 67 || cd[1] != 33 || ct[0] != 133 || ct[1] != 67 {
		t.Errorf("dev %v test %v, want [67 33] and [133 67]", cd, ct)
	}
	tr2, _, _, _ := Split(ex, 0.1, 0.2, 5)
	for i := range tr {
		if tr[i] != tr2[i] {
			t.Fatal("not deterministic")
		}
	}
	if _, _, _, err := Split(ex, 0.6, 0.6, 1); err == nil {
		t.Error("fractions above 1 accepted")
	}
}
