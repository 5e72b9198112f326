package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/idim-go/idim/data/corpus"
	"github.com/idim-go/idim/tokenizer"
)

func init() {
	register(command{"train-tokenizer", "train a byte-level BPE vocabulary on prose", runTrainTokenizer})
}

// readCorpora returns the documents of a comma-separated list of shipped
// corpus names and text files (.txt or .txt.gz; paragraphs separated by
// blank lines).
func readCorpora(list string) ([]string, error) {
	var docs []string
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		var d []string
		var err error
		if isShippedCorpus(name) {
			d, err = corpus.Documents(name)
		} else if _, serr := os.Stat(name); serr == nil {
			d, err = corpus.ReadFile(name, corpus.Paragraphs)
		} else {
			return nil, fmt.Errorf("--corpus %q: neither a shipped corpus (%s) nor a readable file", name, strings.Join(corpus.Names(), ", "))
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	if len(docs) == 0 {
		return nil, fmt.Errorf("--corpus: no documents")
	}
	return docs, nil
}

func isShippedCorpus(name string) bool {
	for _, n := range corpus.Names() {
		if n == name {
			return true
		}
	}
	return false
}

func runTrainTokenizer(args []string) error {
	fs := flag.NewFlagSet("train-tokenizer", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: idim train-tokenizer --out DIR [flags]\n\nTrains a RoBERTa-style byte-level BPE vocabulary (<s>=0 <pad>=1 </s>=2 <unk>=3 ... <mask>=last)\nand writes vocab.json and merges.txt into DIR.\n\nflags:")
		fs.PrintDefaults()
	}
	out := fs.String("out", "", "output directory for vocab.json and merges.txt (required)")
	vocab := fs.Int("vocab", 8192, "vocabulary size, special tokens and the 256 byte symbols included")
	minFreq := fs.Int("min-freq", 2, "fewest occurrences of a pair that is merged")
	corp := fs.String("corpus", strings.Join(corpus.Names(), ","), "comma-separated shipped corpora ("+strings.Join(corpus.Names(), ", ")+") and/or text files")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("train-tokenizer: --out is required")
	}
	if *vocab < 262 {
		return fmt.Errorf("train-tokenizer: --vocab %d: needs at least 262 (256 bytes + 5 specials + 1)", *vocab)
	}
	start := time.Now()
	docs, err := readCorpora(*corp)
	if err != nil {
		return fmt.Errorf("train-tokenizer: %w", err)
	}
	tok, err := tokenizer.TrainTexts(docs, tokenizer.TrainOptions{VocabSize: *vocab, MinFrequency: *minFreq})
	if err != nil {
		return fmt.Errorf("train-tokenizer: %w", err)
	}
	if err := tok.Save(*out); err != nil {
		return fmt.Errorf("train-tokenizer: %w", err)
	}
	fmt.Printf("trained %d ids (%d merges) on %d documents in %.1fs; wrote %s/vocab.json and merges.txt\n",
		tok.VocabSize(), tok.NumMerges(), len(docs), time.Since(start).Seconds(), *out)
	return nil
}
