package tokenizer

import (
	"errors"
	"fmt"

	"github.com/idim-go/idim/internal/cpu"
)

// Encoding is one model input.
type Encoding struct {
	IDs []int
	// AttentionMask is 1 for tokens and 0 for padding.
	AttentionMask []int
	// SpecialTokensMask is 1 where IDs holds a special token (<s>, </s>,
	// padding, or a special token found in the text) and 0 elsewhere.
	SpecialTokensMask []int
	// Offsets (only with Options.Offsets) are the byte spans of the tokens in
	// the text each came from (the first or the second of a pair); {0, 0} for
	// special tokens that the encoder adds and for padding.
	Offsets []Offset
}

// Len is the number of tokens, padding included.
func (e *Encoding) Len() int { return len(e.IDs) }

// Truncation says how a pair is cut down to Options.MaxLength.
type Truncation int

const (
	// LongestFirst cuts the longer sequence until both fit; when both must be
	// cut they get MaxLength/2 tokens each (less the special tokens), the one
	// that was longer getting the odd one (HF tokenizers' rule).
	LongestFirst Truncation = iota
	OnlyFirst
	OnlySecond
	// DoNotTruncate leaves sequences as they are; MaxLength then serves only
	// PadMaxLength.
	DoNotTruncate
)

// Padding says how encodings are padded (with PAD, on the right).
type Padding int

const (
	NoPadding    Padding = iota
	PadLongest           // to the longest encoding of the batch
	PadMaxLength         // to Options.MaxLength
)

// Options control EncodeSingle, EncodePair and the batch forms. The zero
// value adds RoBERTa's special tokens and neither truncates nor pads.
type Options struct {
	// MaxLength > 0 is the most tokens an encoding has, special tokens
	// included (truncating with Truncation); 0 means no limit.
	MaxLength  int
	Truncation Truncation
	Padding    Padding
	// NoSpecialTokens leaves out <s> and </s>.
	NoSpecialTokens bool
	// Offsets fills Encoding.Offsets.
	Offsets bool
}

// part is the encoded text of one sequence.
type part struct {
	ids  []int
	offs []Offset
}

func (t *Tokenizer) encodePart(text string, withOffsets bool) part {
	ids, offs := t.encode(nil, nil, text, true, withOffsets)
	return part{ids, offs}
}

// EncodeSingle encodes one sequence as <s> A </s>.
func (t *Tokenizer) EncodeSingle(text string, opt Options) (Encoding, error) {
	if err := t.checkOptions(opt); err != nil {
		return Encoding{}, err
	}
	a := t.encodePart(text, opt.Offsets)
	return t.assemble(&a, nil, opt)
}

// EncodePair encodes a pair of sequences as <s> A </s></s> B </s>.
func (t *Tokenizer) EncodePair(first, second string, opt Options) (Encoding, error) {
	if err := t.checkOptions(opt); err != nil {
		return Encoding{}, err
	}
	a, b := t.encodePart(first, opt.Offsets), t.encodePart(second, opt.Offsets)
	return t.assemble(&a, &b, opt)
}

func (t *Tokenizer) checkOptions(opt Options) error {
	if opt.MaxLength < 0 {
		return fmt.Errorf("tokenizer: MaxLength %d is negative", opt.MaxLength)
	}
	if opt.Padding == PadMaxLength && opt.MaxLength == 0 {
		return errors.New("tokenizer: PadMaxLength needs a MaxLength")
	}
	if opt.Padding != NoPadding && t.specials.PAD < 0 {
		return errors.New("tokenizer: padding needs a <pad> token, which the vocabulary lacks")
	}
	if !opt.NoSpecialTokens && (t.specials.BOS < 0 || t.specials.EOS < 0) {
		return errors.New("tokenizer: the vocabulary lacks <s> or </s>; set NoSpecialTokens")
	}
	if opt.Truncation < LongestFirst || opt.Truncation > DoNotTruncate || opt.Padding < NoPadding || opt.Padding > PadMaxLength {
		return fmt.Errorf("tokenizer: bad Truncation %d or Padding %d", opt.Truncation, opt.Padding)
	}
	return nil
}

// truncateLengths returns how many tokens of sequences of n1 and n2 (-1: no
// second sequence) tokens to keep so that they fit in budget tokens.
func truncateLengths(n1, n2, budget int, how Truncation) (int, int, error) {
	if n2 < 0 {
		if n1 > budget {
			n1 = budget
		}
		return n1, n2, nil
	}
	if n1+n2 <= budget {
		return n1, n2, nil
	}
	switch how {
	case OnlyFirst:
		if n2 > budget {
			return 0, 0, fmt.Errorf("tokenizer: OnlyFirst truncation cannot fit a second sequence of %d tokens in %d", n2, budget)
		}
		return budget - n2, n2, nil
	case OnlySecond:
		if n1 > budget {
			return 0, 0, fmt.Errorf("tokenizer: OnlySecond truncation cannot fit a first sequence of %d tokens in %d", n1, budget)
		}
		return n1, budget - n1, nil
	}
	// LongestFirst: short keeps all it can, long gets the rest; if both are
	// too long, they split the budget, the longer one taking the odd token.
	short, long := n1, n2
	swap := n1 > n2
	if swap {
		short, long = n2, n1
	}
	if short > budget {
		long = short
	} else {
		long = max(short, budget-short)
	}
	if short+long > budget {
		short = budget / 2
		long = short + budget%2
	}
	if swap {
		return long, short, nil
	}
	return short, long, nil
}

// assemble truncates, adds the special tokens and pads (to MaxLength only;
// PadLongest is done by the batch forms).
func (t *Tokenizer) assemble(a, b *part, opt Options) (Encoding, error) {
	nSpecial := 0
	if !opt.NoSpecialTokens {
		nSpecial = 2
		if b != nil {
			nSpecial = 4
		}
	}
	n2 := -1
	if b != nil {
		n2 = len(b.ids)
	}
	if opt.MaxLength > 0 && opt.Truncation != DoNotTruncate && len(a.ids)+max(n2, 0)+nSpecial > opt.MaxLength {
		budget := opt.MaxLength - nSpecial
		if budget < 0 {
			return Encoding{}, fmt.Errorf("tokenizer: MaxLength %d is shorter than the %d special tokens", opt.MaxLength, nSpecial)
		}
		k1, k2, err := truncateLengths(len(a.ids), n2, budget, opt.Truncation)
		if err != nil {
			return Encoding{}, err
		}
		a.ids = a.ids[:k1]
		if a.offs != nil {
			a.offs = a.offs[:k1]
		}
		if b != nil {
			b.ids = b.ids[:k2]
			if b.offs != nil {
				b.offs = b.offs[:k2]
			}
		}
	}
	size := len(a.ids) + nSpecial
	if b != nil {
		size += len(b.ids)
	}
	if opt.Padding == PadMaxLength && opt.MaxLength > size {
		size = opt.MaxLength
	}
	e := Encoding{
		IDs:               make([]int, 0, size),
		AttentionMask:     make([]int, 0, size),
		SpecialTokensMask: make([]int, 0, size),
	}
	if opt.Offsets {
		e.Offsets = make([]Offset, 0, size)
	}
	addSpecial := func(id int) {
		e.IDs = append(e.IDs, id)
		e.AttentionMask = append(e.AttentionMask, 1)
		e.SpecialTokensMask = append(e.SpecialTokensMask, 1)
		if opt.Offsets {
			e.Offsets = append(e.Offsets, Offset{})
		}
	}
	addPart := func(p *part) {
		for i, id := range p.ids {
			e.IDs = append(e.IDs, id)
			e.AttentionMask = append(e.AttentionMask, 1)
			sp := 0
			if t.IsSpecial(id) {
				sp = 1
			}
			e.SpecialTokensMask = append(e.SpecialTokensMask, sp)
			if opt.Offsets {
				e.Offsets = append(e.Offsets, p.offs[i])
			}
		}
	}
	if !opt.NoSpecialTokens {
		addSpecial(t.specials.BOS)
	}
	addPart(a)
	if !opt.NoSpecialTokens {
		addSpecial(t.specials.EOS)
	}
	if b != nil {
		if !opt.NoSpecialTokens {
			addSpecial(t.specials.EOS)
		}
		addPart(b)
		if !opt.NoSpecialTokens {
			addSpecial(t.specials.EOS)
		}
	}
	t.pad(&e, size)
	return e, nil
}

// pad pads e with PAD up to n tokens.
func (t *Tokenizer) pad(e *Encoding, n int) {
	for len(e.IDs) < n {
		e.IDs = append(e.IDs, t.specials.PAD)
		e.AttentionMask = append(e.AttentionMask, 0)
		e.SpecialTokensMask = append(e.SpecialTokensMask, 1)
		if e.Offsets != nil {
			e.Offsets = append(e.Offsets, Offset{})
		}
	}
}

// EncodeBatch encodes each text with EncodeSingle, in parallel; with
// PadLongest all are padded to the longest.
func (t *Tokenizer) EncodeBatch(texts []string, opt Options) ([]Encoding, error) {
	return t.encodeBatch(texts, nil, opt)
}

// EncodeBatchPairs encodes firsts[i] with seconds[i] by EncodePair, in
// parallel; with PadLongest all are padded to the longest.
func (t *Tokenizer) EncodeBatchPairs(firsts, seconds []string, opt Options) ([]Encoding, error) {
	if len(firsts) != len(seconds) {
		return nil, fmt.Errorf("tokenizer: %d first sequences but %d second ones", len(firsts), len(seconds))
	}
	return t.encodeBatch(firsts, seconds, opt)
}

func (t *Tokenizer) encodeBatch(firsts, seconds []string, opt Options) ([]Encoding, error) {
	if err := t.checkOptions(opt); err != nil {
		return nil, err
	}
	out := make([]Encoding, len(firsts))
	errs := make([]error, len(firsts))
	cpu.ParallelFor(len(firsts), 8, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if seconds == nil {
				out[i], errs[i] = t.EncodeSingle(firsts[i], opt)
			} else {
				out[i], errs[i] = t.EncodePair(firsts[i], seconds[i], opt)
			}
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("batch item %d: %w", i, err)
		}
	}
	if opt.Padding == PadLongest {
		longest := 0
		for i := range out {
			longest = max(longest, len(out[i].IDs))
		}
		for i := range out {
			t.pad(&out[i], longest)
		}
	}
	return out, nil
}
