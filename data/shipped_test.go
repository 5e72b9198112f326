package data

import (
	"reflect"
	"strings"
	"testing"
)

func TestSentimentCounts(t *testing.T) {
	var total LoadReport
	for _, src := range SentimentSources {
		raw, err := shipped.ReadFile("tasks/sentiment-uci/" + src + ".json")
		if err != nil {
			t.Fatal(err)
		}
		ex, rep, err := parseSentimentJSON(raw, src+".json", src, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Each UCI file: 1,000 labelled sentences (500/500) and one row
		// whose class is null.
		if rep.Rows != 1001 || rep.Skipped != 1 || rep.Kept+rep.Duplicates != 1000 {
			t.Errorf("%s: %+v, want 1001 rows, 1 null, 1000 valid", src, rep)
		}
		if len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0], src+".json: element 1000: class is null") {
			t.Errorf("%s: problems %q", src, rep.Problems)
		}
		if len(ex) != rep.Kept {
			t.Errorf("%s: %d examples, report says %d", src, len(ex), rep.Kept)
		}
		total.add(rep)
	}
	if total.Duplicates != 17 {
		t.Errorf("%d repeated sentences dropped, want 17", total.Duplicates)
	}
}

func TestSentimentTask(t *testing.T) {
	task, err := Load("sentiment", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if task.NumLabels != 2 || task.Metric != MetricAccuracy {
		t.Errorf("task %v", task)
	}
	if r := task.Report; r.Rows != 3003 || r.Skipped != 3 || r.Duplicates != 17 || r.Kept != 2983 {
		t.Errorf("report %+v", r)
	}
	n := len(task.Train) + len(task.Dev) + len(task.Test)
	if n != 2983 {
		t.Fatalf("%d examples in the splits, want 2983", n)
	}
	// Stratified by (source, class): every stratum is cut 70/10/20 up to
	// rounding.
	type key struct {
		src   string
		label int
	}
	count := map[key][3]int{}
	seen := map[string]int{}
	for s, split := range [][]Example{task.Train, task.Dev, task.Test} {
		for _, e := range split {
			src, _, _ := strings.Cut(e.ID, ":")
			k := key{src, e.Label}
			c := count[k]
			c[s]++
			count[k] = c
			if prev, ok := seen[e.Text]; ok {
				t.Errorf("%q in split %d and %d", e.Text, prev, s)
			}
			seen[e.Text] = s
			if e.TextB != "" || e.Label < 0 || e.Label > 1 {
				t.Errorf("bad example %+v", e)
			}
		}
	}
	if len(count) != 6 {
		t.Errorf("%d strata, want 6", len(count))
	}
	for k, c := range count {
		n := c[0] + c[1] + c[2]
		if d := c[1] - int(float64(n)*0.1+0.5); d != 0 {
			t.Errorf("%v: dev %d of %d", k, c[1], n)
		}
		if d := c[2] - int(float64(n)*0.2+0.5); d != 0 {
			t.Errorf("%v: test %d of %d", k, c[2], n)
		}
	}
	again, _ := Load("sentiment", Options{})
	if !reflect.DeepEqual(task, again) {
		t.Error("two loads differ")
	}
	other, _ := Load("sentiment", Options{Seed: 7})
	if reflect.DeepEqual(task.Test, other.Test) {
		t.Error("seed 7 gives the default split")
	}
}

func TestSentimentBadInput(t *testing.T) {
	cases := []struct{ in, want string }{
		{``, "x.json: empty file"},
		{`[{"text":"a","class":2}]`, "x.json: element 0: class 2"},
		{`[{"text":"a","class":1},{"class":0}]`, "x.json: element 1: missing or empty \"text\""},
		{"[{\"text\":\"a\xff\",\"class\":1}]", "x.json:1: invalid UTF-8"},
		{`[{"text":"a","class":1}`, "x.json: unexpected end"},
		{`[{"text":"a","class":null}]`, "x.json: no usable rows"},
	}
	for _, c := range cases {
		_, _, err := parseSentimentJSON([]byte(c.in), "x.json", "x", Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.in, err, c.want)
		}
	}
	ex, rep, err := parseSentimentJSON([]byte(`[{"text":"a","class":2},{"text":"b","class":1},{"text":"b","class":1}]`), "x.json", "x", Options{SkipBadRows: true})
	if err != nil || len(ex) != 1 || rep.Skipped != 1 || rep.Duplicates != 1 || rep.Rows != 3 {
		t.Errorf("SkipBadRows: %v %+v %v", ex, rep, err)
	}
}

func TestParaphraseTask(t *testing.T) {
	task, err := Load("paraphrase", Options{})
	if err != nil {
		t.Fatal(err)
	}
	verses, err := KJVWEB()
	if err != nil {
		t.Fatal(err)
	}
	if len(verses) != 31095 {
		t.Fatalf("%d verses, want 31095", len(verses))
	}
	aligned := map[[2]string]bool{}
	alignedNorm := map[[2]string]bool{}
	ident := 0
	for _, v := range verses {
		aligned[[2]string{v.KJV, v.WEB}] = true
		aligned[[2]string{v.WEB, v.KJV}] = true
		alignedNorm[[2]string{normText(v.KJV), normText(v.WEB)}] = true
		alignedNorm[[2]string{normText(v.WEB), normText(v.KJV)}] = true
		if v.KJV == v.WEB {
			ident++
		}
	}
	if ident != 152 {
		t.Errorf("%d identical pairs, want 152", ident)
	}
	book := func(ref string) string { return ref[:strings.LastIndexByte(ref, ' ')] }
	bookSplit := map[string]int{}
	sizes := []int{ParaphraseTrain, ParaphraseDev, ParaphraseTest}
	for s, split := range [][]Example{task.Train, task.Dev, task.Test} {
		if len(split) != sizes[s] {
			t.Errorf("split %d: %d examples, want %d", s, len(split), sizes[s])
		}
		if c := LabelCounts(split, 2); c[0] != c[1] || c[2] != 0 {
			t.Errorf("split %d: labels %v, want balanced", s, c)
		}
		var hard, neg, swapped int
		for _, e := range split {
			refs := strings.Split(e.ID, "|")
			for _, r := range refs {
				b := book(r)
				if prev, ok := bookSplit[b]; ok && prev != s {
					t.Fatalf("book %s in splits %d and %d", b, prev, s)
				}
				bookSplit[b] = s
			}
			pair := [2]string{e.Text, e.TextB}
			switch e.Label {
			case 1:
				if len(refs) != 1 || !aligned[pair] {
					t.Fatalf("positive %s is not an aligned pair", e.ID)
				}
				if e.Text == e.TextB {
					t.Errorf("positive %s has identical texts", e.ID)
				}
			case 0:
				neg++
				if len(refs) != 2 || refs[0] == refs[1] {
					t.Fatalf("negative %s: want two references", e.ID)
				}
				if aligned[pair] || alignedNorm[[2]string{normText(e.Text), normText(e.TextB)}] || normText(e.Text) == normText(e.TextB) {
					t.Fatalf("negative %s is an aligned pair: %q / %q", e.ID, e.Text, e.TextB)
				}
				a, b := refs[0][:strings.LastIndexByte(refs[0], ':')], refs[1][:strings.LastIndexByte(refs[1], ':')]
				if a == b {
					hard++
				}
			}
			if isKJV(e.Text, verses) {
				swapped++
			}
		}
		// Half the negatives take a neighbour of the same chapter.
		if hard < neg*45/100 || hard > neg*55/100 {
			t.Errorf("split %d: %d hard negatives of %d", s, hard, neg)
		}
		if n := len(split); swapped < n*40/100 || swapped > n*60/100 {
			t.Errorf("split %d: KJV text first in %d of %d", s, swapped, n)
		}
	}
	if len(bookSplit) < 60 {
		t.Errorf("only %d books used", len(bookSplit))
	}
	tr, dv, te, err := ParaphraseBooks(0)
	if err != nil || len(tr)+len(dv)+len(te) != 66 {
		t.Fatalf("ParaphraseBooks: %d+%d+%d books, %v", len(tr), len(dv), len(te), err)
	}
	for s, books := range [][]string{tr, dv, te} {
		for _, b := range books {
			if got, ok := bookSplit[b]; ok && got != s {
				t.Errorf("ParaphraseBooks puts %s in %d, the task in %d", b, s, got)
			}
		}
	}
	again, _ := Load("paraphrase", Options{})
	if !reflect.DeepEqual(task, again) {
		t.Error("two loads differ")
	}
	other, err := Load("paraphrase", Options{Seed: 99})
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(task.Train, other.Train) {
		t.Error("seed 99 gives the default task")
	}
}

var kjvSet map[string]bool

func isKJV(s string, verses []Verse) bool {
	if kjvSet == nil {
		kjvSet = map[string]bool{}
		for _, v := range verses {
			if v.KJV != v.WEB {
				kjvSet[v.KJV] = true
			}
		}
	}
	return kjvSet[s]
}

func TestLoadUnknown(t *testing.T) {
	if _, err := Load("nope", Options{}); err == nil || !strings.Contains(err.Error(), "paraphrase") {
		t.Errorf("err = %v, want a list of tasks", err)
	}
	if got := Names(); !reflect.DeepEqual(got, []string{"paraphrase", "sentiment"}) {
		t.Errorf("Names() = %v", got)
	}
}

func TestMajorityShipped(t *testing.T) {
	for _, name := range Names() {
		task, err := Load(name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, split := range [][]Example{task.Train, task.Dev, task.Test} {
			label, s, err := task.Majority(split)
			if err != nil {
				t.Fatal(err)
			}
			c := LabelCounts(split, 2)
			if want := float64(c[label]) / float64(len(split)); s[MetricAccuracy] != want {
				t.Errorf("%s: majority accuracy %v, want %v", name, s[MetricAccuracy], want)
			}
			if s[MetricMCC] != 0 {
				t.Errorf("%s: constant prediction has MCC %v", name, s[MetricMCC])
			}
		}
	}
}
