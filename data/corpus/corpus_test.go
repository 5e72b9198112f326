package corpus

import (
	"strings"
	"testing"
)

func TestShippedCounts(t *testing.T) {
	for _, c := range Shipped {
		docs, err := Documents(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		chars := 0
		for _, d := range docs {
			chars += len(d)
		}
		t.Logf("%s: %d documents, %d bytes", c.Name, len(docs), chars)
	}
}

func TestReadDocuments(t *testing.T) {
	in := "a  b\nc\n\n\n d \n\ne\tf"
	got, err := ReadDocuments(strings.NewReader(in), "x", Paragraphs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a b c", "d", "e f"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Paragraphs: got %q, want %q", got, want)
	}
	got, err = ReadDocuments(strings.NewReader(in), "x", Lines)
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"a b", "c", "d", "e f"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Lines: got %q, want %q", got, want)
	}
	if _, err := ReadDocuments(strings.NewReader("ok\nbad \xff\n"), "f.txt", Lines); err == nil || !strings.Contains(err.Error(), "f.txt:2:") {
		t.Errorf("invalid UTF-8: err = %v, want f.txt:2", err)
	}
	if _, err := ReadDocuments(strings.NewReader("\n \n"), "e.txt", Lines); err == nil || !strings.Contains(err.Error(), "e.txt") {
		t.Errorf("empty: err = %v", err)
	}
}
