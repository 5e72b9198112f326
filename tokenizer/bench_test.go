package tokenizer

import (
	"bufio"
	"compress/gzip"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkEncode encodes 100 KB of English prose with GPT-2's tokenizer:
// warm (the word cache holds the text's words), cold (cache emptied before
// each pass), parallel (GOMAXPROCS goroutines sharing one tokenizer, warm).
func BenchmarkEncode(b *testing.B) {
	tok := gpt2(b)
	text := string(readProse(b))
	ntok := len(tok.Encode(text))
	report := func(b *testing.B) {
		b.ReportMetric(float64(ntok)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	}
	b.Run("warm", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		tok.Encode(text)
		for b.Loop() {
			tok.Encode(text)
		}
		report(b)
	})
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		for b.Loop() {
			tok.cache.reset()
			tok.Encode(text)
		}
		report(b)
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		tok.Encode(text)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				tok.Encode(text)
			}
		})
		report(b)
	})
}

func BenchmarkPreTokenize(b *testing.B) {
	text := string(readProse(b))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		n := 0
		splitWords(text, func(_, _ int) { n++ })
	}
}

func BenchmarkDecode(b *testing.B) {
	tok := gpt2(b)
	text := string(readProse(b))
	ids := tok.Encode(text)
	b.SetBytes(int64(len(text)))
	var buf []byte
	for b.Loop() {
		buf = tok.AppendDecode(buf[:0], ids, false)
	}
}

// BenchmarkTrain trains a 2,000-id vocabulary on the 100 KB prose file.
func BenchmarkTrain(b *testing.B) {
	lines := proseLines(b, 0)
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	b.SetBytes(int64(n))
	for b.Loop() {
		if _, err := TrainTexts(lines, TrainOptions{VocabSize: 2000}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrainCorpus trains on the files listed in IDIM_TRAIN_CORPUS
// (comma-separated, .gz read through gzip) with IDIM_TRAIN_VOCAB ids (default
// 16000); skipped when the variable is unset. It reports the seconds spent
// counting words and merging.
func BenchmarkTrainCorpus(b *testing.B) {
	files := os.Getenv("IDIM_TRAIN_CORPUS")
	if files == "" {
		b.Skip("IDIM_TRAIN_CORPUS is not set")
	}
	vocab := 16000
	if v := os.Getenv("IDIM_TRAIN_VOCAB"); v != "" {
		var err error
		if vocab, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	var texts []string
	size := 0
	for _, name := range strings.Split(files, ",") {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		var r io.Reader = f
		if strings.HasSuffix(name, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				b.Fatal(err)
			}
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 64<<20)
		for sc.Scan() {
			texts = append(texts, sc.Text())
			size += len(sc.Text()) + 1
		}
		f.Close()
	}
	b.SetBytes(int64(size))
	for b.Loop() {
		t0 := time.Now()
		tr, err := NewTrainer(TrainOptions{VocabSize: vocab, MinFrequency: 2})
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range texts {
			tr.AddText(s)
		}
		t1 := time.Now()
		words := len(tr.counts)
		tok, err := tr.Train()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(t1.Sub(t0).Seconds(), "count-s")
		b.ReportMetric(time.Since(t1).Seconds(), "merge-s")
		b.ReportMetric(float64(words), "distinct-words")
		b.ReportMetric(float64(tok.VocabSize()), "vocab")
	}
}
