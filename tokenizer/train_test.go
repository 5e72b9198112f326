package tokenizer

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// naiveTrain is the trainer's rule with every pair recounted at every step.
// It returns the merges as token strings.
func naiveTrain(texts []string, specials []string, target int, minFreq int64) [][2]string {
	counts := map[string]int64{}
	for _, s := range texts {
		for _, w := range PreTokenize(s) {
			counts[w]++
		}
	}
	vocab := map[string]bool{}
	for _, s := range specials {
		vocab[s] = true
	}
	for b := 0; b < 256; b++ {
		vocab[byteToStr[b]] = true
	}
	type word struct {
		syms  []string
		count int64
	}
	var words []word
	for w, c := range counts {
		var syms []string
		for i := 0; i < len(w); i++ {
			syms = append(syms, byteToStr[w[i]])
		}
		words = append(words, word{syms, c})
	}
	size := len(vocab)
	var merges [][2]string
	for size < target {
		pairs := map[[2]string]int64{}
		for _, w := range words {
			for i := 0; i+1 < len(w.syms); i++ {
				pairs[[2]string{w.syms[i], w.syms[i+1]}] += w.count
			}
		}
		var best [2]string
		var bestCount int64
		for p, c := range pairs {
			if vocab[p[0]+p[1]] {
				continue
			}
			if c > bestCount || (c == bestCount && (p[0] < best[0] || (p[0] == best[0] && p[1] < best[1]))) {
				best, bestCount = p, c
			}
		}
		if bestCount < minFreq || bestCount == 0 {
			break
		}
		merges = append(merges, best)
		vocab[best[0]+best[1]] = true
		size++
		for k, w := range words {
			var out []string
			for i := 0; i < len(w.syms); i++ {
				if i+1 < len(w.syms) && w.syms[i] == best[0] && w.syms[i+1] == best[1] {
					out = append(out, best[0]+best[1])
					i++
				} else {
					out = append(out, w.syms[i])
				}
			}
			words[k].syms = out
		}
	}
	return merges
}

func mergeStrings(t *Tokenizer) [][2]string {
	out := make([][2]string, len(t.mergeList))
	for i, p := range t.mergeList {
		out[i] = [2]string{t.tokens[p[0]], t.tokens[p[1]]}
	}
	return out
}

func proseLines(t testing.TB, n int) []string {
	lines := strings.Split(string(readProse(t)), "\n")
	if n > 0 && n < len(lines) {
		lines = lines[:n]
	}
	return lines
}

func TestTrainMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	corpora := [][]string{
		proseLines(t, 150),
		{"aaaaaaa aaa aa a", "abababab ba ab", "aaaa"},
	}
	var random []string
	for i := 0; i < 200; i++ {
		random = append(random, randText(rng, rng.IntN(12)))
	}
	corpora = append(corpora, random)
	for ci, texts := range corpora {
		for _, minFreq := range []int{1, 3} {
			tr, err := NewTrainer(TrainOptions{VocabSize: 600, MinFrequency: minFreq, Specials: []string{"<s>", "</s>"}})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range texts {
				tr.AddText(s)
			}
			tok, err := tr.Train()
			if err != nil {
				t.Fatal(err)
			}
			got := mergeStrings(tok)
			want := naiveTrain(texts, []string{"<s>", "</s>"}, 600, int64(minFreq))
			if !slices.Equal(got, want) {
				n := 0
				for n < min(len(got), len(want)) && got[n] == want[n] {
					n++
				}
				t.Fatalf("corpus %d, min %d: %d merges, naive %d; first difference at %d", ci, minFreq, len(got), len(want), n)
			}
			if len(got) == 0 {
				t.Fatalf("corpus %d learned nothing", ci)
			}
		}
	}
}

func TestTrainRoberta(t *testing.T) {
	lines := proseLines(t, 0)
	tok, err := TrainTexts(lines, TrainOptions{VocabSize: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 1000 || tok.NumMerges() != 1000-5-256 {
		t.Fatalf("vocab %d, merges %d", tok.VocabSize(), tok.NumMerges())
	}
	sp := tok.Specials()
	if sp != (Specials{BOS: 0, PAD: 1, EOS: 2, UNK: 3, MASK: 999}) {
		t.Fatalf("specials %+v", sp)
	}
	// Byte symbols follow the specials in rune order: '!' first.
	if id, _ := tok.TokenID("!"); id != 4 {
		t.Errorf("'!' has id %d", id)
	}
	if id, _ := tok.TokenID(byteToStr[0xAD]); id != 4+255 {
		t.Errorf("byte 0xAD has id %d", id)
	}
	// Frequent English words became single tokens.
	for _, w := range []string{"Ġthe", "Ġand", "Ġof"} {
		if _, ok := tok.TokenID(w); !ok {
			t.Errorf("%q was not learned", w)
		}
	}
	text := strings.Join(lines, "\n")
	if got := tok.Decode(tok.Encode(text), false); got != text {
		t.Error("trained tokenizer does not round-trip the corpus")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for i := 0; i < 200; i++ {
		s := randText(rng, rng.IntN(30))
		if got := tok.Decode(tok.EncodeOrdinary(s), false); got != s {
			t.Fatalf("round trip of %q gave %q", s, got)
		}
	}
	e, err := tok.EncodeSingle("It is a truth <mask> acknowledged", Options{MaxLength: 24, Padding: PadMaxLength})
	if err != nil || e.IDs[0] != 0 || !slices.Contains(e.IDs, 999) || len(e.IDs) != 24 || e.IDs[23] != 1 {
		t.Errorf("EncodeSingle: %v, %v", e.IDs, err)
	}
}

// TestTrainConsistent checks that encoding with the trained files gives the
// trainer's own segmentation of every word, and of the whole text.
func TestTrainConsistent(t *testing.T) {
	lines := proseLines(t, 0)
	tr, _ := NewTrainer(TrainOptions{VocabSize: 2000})
	for _, l := range lines {
		tr.AddText(l)
	}
	trained, err := tr.Train()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := trained.Save(dir); err != nil {
		t.Fatal(err)
	}
	tok, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 2000 || tok.Specials() != trained.Specials() {
		t.Fatalf("reloaded: vocab %d specials %+v", tok.VocabSize(), tok.Specials())
	}
	seg := map[string][]int{}
	for i, w := range tr.words {
		ids := make([]int, len(tr.segs[i]))
		for j, id := range tr.segs[i] {
			ids[j] = int(id)
		}
		seg[w] = ids
		if got := tok.EncodeOrdinary(w); !slices.Equal(got, ids) {
			t.Fatalf("word %q: Encode %v, trainer %v", w, got, ids)
		}
	}
	for _, l := range lines {
		var want []int
		for _, w := range PreTokenize(l) {
			want = append(want, seg[w]...)
		}
		if got := tok.EncodeOrdinary(l); !slices.Equal(got, want) {
			t.Fatalf("line %q: Encode %v, trainer %v", l, got, want)
		}
	}
}

func TestTrainDeterministic(t *testing.T) {
	lines := proseLines(t, 600)
	shuffled := slices.Clone(lines)
	rng := rand.New(rand.NewPCG(9, 10))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	var files [][]byte
	for _, in := range [][]string{lines, lines, shuffled} {
		tok, err := Train(strings.NewReader(strings.Join(in, "\n")), TrainOptions{VocabSize: 800})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := tok.Save(dir); err != nil {
			t.Fatal(err)
		}
		v, _ := os.ReadFile(filepath.Join(dir, "vocab.json"))
		m, _ := os.ReadFile(filepath.Join(dir, "merges.txt"))
		files = append(files, append(v, m...))
	}
	if !bytes.Equal(files[0], files[1]) || !bytes.Equal(files[0], files[2]) {
		t.Fatal("training is not deterministic")
	}
}

func TestTrainOptions(t *testing.T) {
	for _, opt := range []TrainOptions{
		{VocabSize: 100},
		{VocabSize: 1000, Specials: []string{"<s>", "<s>"}},
		{VocabSize: 1000, Specials: []string{""}},
		{VocabSize: 1000, Specials: []string{"a"}},
	} {
		if _, err := NewTrainer(opt); err == nil {
			t.Errorf("%+v accepted", opt)
		}
	}
	// Custom specials at 0..k-1, no <mask> added.
	tok, err := TrainTexts([]string{"hello hello world"}, TrainOptions{VocabSize: 300, Specials: []string{"[CLS]", "<pad>"}})
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := tok.TokenID("[CLS]"); id != 0 || tok.PAD() != 1 || tok.MASK() != -1 {
		t.Errorf("[CLS]=%d, specials %+v", id, tok.Specials())
	}
	if got := tok.Encode("[CLS]hello"); got[0] != 0 {
		t.Errorf("custom special not recognised: %v", got)
	}
	// MinFrequency above every count: no merges.
	tok, err = TrainTexts([]string{"hello hello world"}, TrainOptions{VocabSize: 300, MinFrequency: 3})
	if err != nil {
		t.Fatal(err)
	}
	if tok.NumMerges() != 0 || tok.VocabSize() != 4+256+1 {
		t.Errorf("%d merges, vocab %d", tok.NumMerges(), tok.VocabSize())
	}
	// An empty corpus trains the byte alphabet only.
	tok, err = Train(strings.NewReader(""), TrainOptions{VocabSize: 500})
	if err != nil || tok.NumMerges() != 0 {
		t.Errorf("empty corpus: %v", err)
	}
}

// FuzzTrain trains on fuzzed text (split into lines) and checks the merges
// against the naive trainer and the segmentation against Encode.
func FuzzTrain(f *testing.F) {
	f.Add("aaa aa a\nabab ba\n", uint16(40))
	f.Add("the cat the hat\nthat the", uint16(10))
	f.Fuzz(func(t *testing.T, corpus string, extra uint16) {
		lines := strings.Split(corpus, "\n")
		vocab := 2 + 256 + int(extra%200)
		specials := []string{"<s>", "</s>"}
		tr, err := NewTrainer(TrainOptions{VocabSize: vocab, Specials: specials})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			tr.AddText(l)
		}
		tok, err := tr.Train()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := mergeStrings(tok), naiveTrain(lines, specials, vocab, 1); !slices.Equal(got, want) {
			t.Fatalf("merges %q, naive %q", got, want)
		}
		for i, w := range tr.words {
			want := make([]int, len(tr.segs[i]))
			for j, id := range tr.segs[i] {
				want[j] = int(id)
			}
			if got := tok.EncodeOrdinary(w); !slices.Equal(got, want) {
				t.Fatalf("word %q: Encode %v, trainer %v", w, got, want)
			}
		}
		if got := tok.Decode(tok.EncodeOrdinary(corpus), false); got != corpus {
			t.Fatalf("round trip of %q gave %q", corpus, got)
		}
	})
}
