package tokenizer

import (
	"bufio"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// TrainOptions configure the BPE trainer.
type TrainOptions struct {
	// VocabSize is the number of ids wanted, special tokens and the 256 byte
	// symbols included. Training stops earlier when no pair occurs
	// MinFrequency times.
	VocabSize int
	// MinFrequency is the fewest occurrences of a pair that is merged
	// (values below 1 mean 1).
	MinFrequency int
	// Specials are the special tokens, given ids 0, 1, ... in order. nil means
	// RoBERTa's: <s>=0, <pad>=1, </s>=2, <unk>=3 and <mask> the last id.
	Specials []string
}

// Trainer learns byte-level BPE merges from text. It counts the
// pre-tokenizer's words of each text it is given, then Train merges:
//
//   - ids: the special tokens first, then the 256 byte symbols in the order
//     of their runes (as GPT-2's vocabulary has them), then one new token per
//     merge, in merge order (then <mask>, with the default specials);
//   - each step merges the adjacent pair of symbols that occurs most often
//     in the words (weighted by their counts); a tie goes to the pair whose
//     left token, then right token, is smaller as a byte-level string;
//   - a pair whose merged token already exists (made by another pair) is
//     never merged, so each token has one merge and encoding the training
//     words with the result gives exactly the trainer's segmentation;
//   - every occurrence of the chosen pair is merged, left to right, and the
//     pair counts are updated for the words that held it, not recounted.
//
// Special tokens are not looked for in the training text: it is all text.
type Trainer struct {
	opt    TrainOptions
	counts map[string]int64

	// After Train: the distinct words (sorted) and their final symbols.
	words []string
	segs  [][]int32
}

// NewTrainer checks opt and returns an empty trainer.
func NewTrainer(opt TrainOptions) (*Trainer, error) {
	specials := opt.Specials
	defaults := specials == nil
	if defaults {
		specials = []string{BOSToken, PADToken, EOSToken, UNKToken, MASKToken}
	}
	seen := map[string]bool{}
	for _, s := range specials {
		if s == "" || seen[s] {
			return nil, fmt.Errorf("tokenizer: special token %q is empty or given twice", s)
		}
		if _, isByte := runeToByte[[]rune(s)[0]]; isByte && len([]rune(s)) == 1 {
			return nil, fmt.Errorf("tokenizer: special token %q is one of the 256 byte symbols", s)
		}
		seen[s] = true
	}
	if need := len(specials) + 256; opt.VocabSize < need {
		return nil, fmt.Errorf("tokenizer: VocabSize %d is below %d (special tokens + 256 byte symbols)", opt.VocabSize, need)
	}
	return &Trainer{opt: opt, counts: make(map[string]int64)}, nil
}

// AddText counts the words of text.
func (tr *Trainer) AddText(text string) {
	for i := 0; i < len(text); {
		j := nextWord(text, i)
		w := text[i:j]
		if c, ok := tr.counts[w]; ok {
			tr.counts[w] = c + 1
		} else {
			tr.counts[strings.Clone(w)] = 1
		}
		i = j
	}
}

// AddReader counts the words of each line of r (without its line break).
func (tr *Trainer) AddReader(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		tr.AddText(sc.Text())
	}
	return sc.Err()
}

// Train trains a tokenizer on the lines of r.
func Train(r io.Reader, opt TrainOptions) (*Tokenizer, error) {
	tr, err := NewTrainer(opt)
	if err != nil {
		return nil, err
	}
	if err := tr.AddReader(r); err != nil {
		return nil, err
	}
	return tr.Train()
}

// TrainTexts trains a tokenizer on texts.
func TrainTexts(texts []string, opt TrainOptions) (*Tokenizer, error) {
	tr, err := NewTrainer(opt)
	if err != nil {
		return nil, err
	}
	for _, s := range texts {
		tr.AddText(s)
	}
	return tr.Train()
}

type pairCount struct {
	pair  uint64
	count int64
}

// pairHeap pops the most frequent pair, ties by the byte-level strings.
type pairHeap struct {
	e      []pairCount
	tokens *[]string
}

func (h *pairHeap) Len() int { return len(h.e) }
func (h *pairHeap) Less(i, j int) bool {
	a, b := h.e[i], h.e[j]
	if a.count != b.count {
		return a.count > b.count
	}
	tok := *h.tokens
	la, lb := tok[a.pair>>32], tok[b.pair>>32]
	if la != lb {
		return la < lb
	}
	return tok[uint32(a.pair)] < tok[uint32(b.pair)]
}
func (h *pairHeap) Swap(i, j int) { h.e[i], h.e[j] = h.e[j], h.e[i] }
func (h *pairHeap) Push(x any)    { h.e = append(h.e, x.(pairCount)) }
func (h *pairHeap) Pop() any {
	x := h.e[len(h.e)-1]
	h.e = h.e[:len(h.e)-1]
	return x
}

// Train learns the merges from the words counted so far and returns the
// tokenizer. It may be called once.
func (tr *Trainer) Train() (*Tokenizer, error) {
	if tr.counts == nil {
		return nil, errors.New("tokenizer: Trainer.Train called twice")
	}
	opt := tr.opt
	specials := opt.Specials
	maskLast := specials == nil
	if maskLast {
		specials = []string{BOSToken, PADToken, EOSToken, UNKToken}
	}
	target := opt.VocabSize
	if maskLast {
		target-- // the last id is <mask>
	}
	minFreq := int64(max(opt.MinFrequency, 1))

	tokens := append([]string(nil), specials...)
	vocab := make(map[string]int, target+1)
	for i, s := range specials {
		vocab[s] = i
	}
	var byteID [256]int32
	order := make([]int, 256)
	for b := range order {
		order[b] = b
	}
	slices.SortFunc(order, func(a, b int) int { return int(byteToRune[a] - byteToRune[b]) })
	for _, b := range order {
		byteID[b] = int32(len(tokens))
		vocab[byteToStr[b]] = len(tokens)
		tokens = append(tokens, byteToStr[b])
	}

	// Distinct words, sorted, as byte symbols.
	words := make([]string, 0, len(tr.counts))
	for w := range tr.counts {
		words = append(words, w)
	}
	slices.Sort(words)
	counts := make([]int64, len(words))
	segs := make([][]int32, len(words))
	for i, w := range words {
		counts[i] = tr.counts[w]
		s := make([]int32, len(w))
		for j := 0; j < len(w); j++ {
			s[j] = byteID[w[j]]
		}
		segs[i] = s
	}
	tr.counts = nil

	pairCounts := make(map[uint64]int64)
	where := make(map[uint64][]int32) // words holding a pair (maybe stale, maybe twice)
	for i, s := range segs {
		for j := 0; j+1 < len(s); j++ {
			k := pairKey(s[j], s[j+1])
			if pairCounts[k] == 0 || last(where[k]) != int32(i) {
				where[k] = append(where[k], int32(i))
			}
			pairCounts[k] += counts[i]
		}
	}
	h := &pairHeap{tokens: &tokens}
	for k, c := range pairCounts {
		h.e = append(h.e, pairCount{k, c})
	}
	heap.Init(h)

	var merges [][2]int32
	forbidden := make(map[uint64]bool)
	stamp := make([]int32, len(segs))
	for i := range stamp {
		stamp[i] = -1
	}
	delta := make(map[uint64]int64)
	var newSeg []int32
	for len(tokens) < target && h.Len() > 0 {
		top := heap.Pop(h).(pairCount)
		cur := pairCounts[top.pair]
		if top.count != cur {
			if top.count > cur && cur > 0 {
				heap.Push(h, pairCount{top.pair, cur}) // stale: counts only fell
			}
			continue // else a fresher entry is in the heap
		}
		if cur < minFreq {
			break
		}
		if forbidden[top.pair] {
			continue
		}
		a, b := int32(top.pair>>32), int32(uint32(top.pair))
		merged := tokens[a] + tokens[b]
		if _, exists := vocab[merged]; exists {
			forbidden[top.pair] = true
			continue
		}
		id := int32(len(tokens))
		vocab[merged] = int(id)
		tokens = append(tokens, merged)
		step := int32(len(merges))
		merges = append(merges, [2]int32{a, b})

		clear(delta)
		for _, wi := range where[top.pair] {
			if stamp[wi] == step {
				continue
			}
			stamp[wi] = step
			s := segs[wi]
			newSeg = newSeg[:0]
			changed := false
			for j := 0; j < len(s); j++ {
				if j+1 < len(s) && s[j] == a && s[j+1] == b {
					newSeg = append(newSeg, id)
					j++
					changed = true
				} else {
					newSeg = append(newSeg, s[j])
				}
			}
			if !changed {
				continue
			}
			c := counts[wi]
			for j := 0; j+1 < len(s); j++ {
				delta[pairKey(s[j], s[j+1])] -= c
			}
			for j := 0; j+1 < len(newSeg); j++ {
				k := pairKey(newSeg[j], newSeg[j+1])
				delta[k] += c
				if (newSeg[j] == id || newSeg[j+1] == id) && last(where[k]) != wi {
					where[k] = append(where[k], wi)
				}
			}
			if len(newSeg) <= cap(s) {
				segs[wi] = append(s[:0], newSeg...)
			} else {
				segs[wi] = append([]int32(nil), newSeg...)
			}
		}
		delete(where, top.pair)
		for k, d := range delta {
			if d == 0 {
				continue
			}
			c := pairCounts[k] + d
			if c <= 0 {
				delete(pairCounts, k)
				continue
			}
			pairCounts[k] = c
			if d > 0 {
				heap.Push(h, pairCount{k, c})
			}
		}
	}
	if maskLast {
		vocab[MASKToken] = len(tokens)
		tokens = append(tokens, MASKToken)
	}
	tr.words, tr.segs = words, segs
	return newTokenizer(vocab, merges, defaultAddedFor(vocab, specials, maskLast))
}

func last(s []int32) int32 {
	if len(s) == 0 {
		return -1
	}
	return s[len(s)-1]
}

// defaultAddedFor makes the trained specials added tokens (<mask> absorbing
// the space before it).
func defaultAddedFor(vocab map[string]int, specials []string, mask bool) []AddedToken {
	if mask {
		specials = append(specials, MASKToken)
	}
	added := make([]AddedToken, 0, len(specials))
	for _, s := range specials {
		added = append(added, AddedToken{Content: s, ID: vocab[s], Special: true, LStrip: s == MASKToken})
	}
	return added
}
