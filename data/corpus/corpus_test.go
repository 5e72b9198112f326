package corpus

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestShippedCounts(t *testing.T) {
	want := map[string]int{"sotu": 233, "wordnet-glosses": 117791} // SOURCES: 233 addresses, 117,791 glosses
	for _, c := range Shipped {
		docs, err := Documents(c.Name)
		if err != nil {
			t.Fatal(err)
		}
		chars, chapters := 0, 0
		for _, d := range docs {
			chars += len(d)
			if strings.HasPrefix(d, "CHAPTER ") {
				chapters++
			}
			if d == "" || strings.Contains(d, "\n") || strings.Contains(d, "  ") {
				t.Fatalf("%s: document %q not normalised", c.Name, d)
			}
		}
		t.Logf("%s: %d documents, %d bytes", c.Name, len(docs), chars)
		if n, ok := want[c.Name]; ok && len(docs) != n {
			t.Errorf("%s: %d documents, want %d", c.Name, len(docs), n)
		}
		if c.Name == "moby-dick" && chapters != 135 {
			t.Errorf("moby-dick: %d chapters, want 135", chapters)
		}
		if chars < 1_000_000 {
			t.Errorf("%s: only %d bytes", c.Name, chars)
		}
	}
	if _, err := Documents("shakespeare"); err == nil || !strings.Contains(err.Error(), "austen") {
		t.Errorf("unknown corpus: %v", err)
	}
	if !strings.Contains(WordNetLicense(), "Princeton University") {
		t.Error("WordNet licence text missing")
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

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(plain, []byte("one\ntwo\n\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte("one\ntwo\n\nthree\n"))
	zw.Close()
	gz := filepath.Join(dir, "a.txt.gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{plain, gz} {
		docs, err := ReadFile(p, Paragraphs)
		if err != nil || strings.Join(docs, "|") != "one two|three" {
			t.Errorf("%s: %q %v", p, docs, err)
		}
	}
	if _, err := ReadFile(filepath.Join(dir, "none.txt"), Lines); err == nil || !strings.Contains(err.Error(), "none.txt") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile(plain+"x.gz", Lines); err == nil {
		t.Error("missing gz accepted")
	}
	if err := os.WriteFile(plain+".gz", []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(plain+".gz", Lines); err == nil || !strings.Contains(err.Error(), "a.txt.gz") {
		t.Errorf("bad gzip: %v", err)
	}
}
