// Package tokenizer is byte-level BPE as GPT-2 and RoBERTa define it: text is
// split into words by GPT-2's pre-tokenizer, each word's bytes are written in
// GPT-2's byte alphabet (one printable rune per byte) and merged by the
// ranked merges of merges.txt; the merged symbols are looked up in vocab.json.
// Added tokens (the special tokens <s>, </s>, <pad>, <unk>, <mask>, and any
// other of tokenizer.json's added_tokens) are recognised in the text first and
// become single ids.
//
// A Tokenizer is immutable after loading and safe for concurrent use; it
// keeps a bounded cache of the words it has merged.
//
// Any string round-trips: Decode(Encode(s), false) == s for every s without
// added tokens preceded by white space that the token strips (RoBERTa's
// <mask> absorbs the space before it), including invalid UTF-8, since BPE
// works on bytes. EncodeOrdinary never recognises added tokens and always
// round-trips.
package tokenizer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// AddedToken is a token matched in the raw text before pre-tokenization.
type AddedToken struct {
	Content string
	ID      int
	Special bool // skipped by Decode(ids, true)
	LStrip  bool // absorbs the white space before it
	RStrip  bool // absorbs the white space after it
}

// Specials holds the ids of RoBERTa's special tokens; -1 marks one that the
// vocabulary lacks. For RoBERTa: BOS (<s>) = 0, PAD (<pad>) = 1, EOS (</s>) = 2,
// UNK (<unk>) = 3, MASK (<mask>) = the last id.
type Specials struct {
	BOS, EOS, PAD, UNK, MASK int
}

// Names of the special tokens, by role.
const (
	BOSToken  = "<s>"
	EOSToken  = "</s>"
	PADToken  = "<pad>"
	UNKToken  = "<unk>"
	MASKToken = "<mask>"
	// EndOfText is GPT-2's only special token.
	EndOfText = "<|endoftext|>"
)

// Tokenizer is a byte-level BPE tokenizer.
type Tokenizer struct {
	vocab     map[string]int // token -> id (model vocabulary and added tokens)
	tokens    []string       // id -> token; "" where no token has the id
	byteLen   []int32        // id -> number of text bytes the token stands for
	merges    map[uint64]merge
	mergeList [][2]int32 // by rank
	byteIDs   [256]int32 // id of each byte's symbol, -1 if absent

	added     []AddedToken // in match priority order (longest content first)
	addedByID map[int]int  // id -> index in added

	specials       Specials
	addPrefixSpace bool

	cache wordCache
}

// newTokenizer builds a tokenizer from a vocabulary (token -> id), merges as
// pairs of ids (rank = index; each pair's merged token must be in vocab,
// checked by the caller) and added tokens.
func newTokenizer(vocab map[string]int, merges [][2]int32, added []AddedToken) (*Tokenizer, error) {
	t := &Tokenizer{vocab: make(map[string]int, len(vocab)+len(added))}
	maxID := -1
	for tok, id := range vocab {
		t.vocab[tok] = id
		maxID = max(maxID, id)
	}
	for _, a := range added {
		if id, ok := t.vocab[a.Content]; ok && id != a.ID {
			return nil, fmt.Errorf("added token %q has id %d but the vocabulary gives it %d", a.Content, a.ID, id)
		}
		t.vocab[a.Content] = a.ID
		maxID = max(maxID, a.ID)
	}
	t.tokens = make([]string, maxID+1)
	t.byteLen = make([]int32, maxID+1)
	for tok, id := range t.vocab {
		if t.tokens[id] != "" && t.tokens[id] != tok {
			return nil, fmt.Errorf("tokens %q and %q share id %d", t.tokens[id], tok, id)
		}
		t.tokens[id] = tok
		t.byteLen[id] = int32(len(appendUnByteLevel(nil, tok)))
	}
	for b := range t.byteIDs {
		t.byteIDs[b] = -1
		if id, ok := vocab[byteToStr[b]]; ok {
			t.byteIDs[b] = int32(id)
		}
	}
	t.merges = make(map[uint64]merge, len(merges))
	t.mergeList = merges
	for rank, p := range merges {
		k := pairKey(p[0], p[1])
		if _, dup := t.merges[k]; dup {
			continue // the first (lowest) rank wins
		}
		id := vocab[t.tokens[p[0]]+t.tokens[p[1]]]
		t.merges[k] = merge{rank: int32(rank), id: int32(id)}
	}
	t.addedByID = make(map[int]int, len(added))
	t.added = append([]AddedToken(nil), added...)
	// Longest first, so that of two tokens matching at one place the longer wins.
	for i := 1; i < len(t.added); i++ {
		for j := i; j > 0 && len(t.added[j].Content) > len(t.added[j-1].Content); j-- {
			t.added[j], t.added[j-1] = t.added[j-1], t.added[j]
		}
	}
	for i, a := range t.added {
		if a.Content == "" {
			return nil, fmt.Errorf("added token with id %d is empty", a.ID)
		}
		t.addedByID[a.ID] = i
	}
	t.specials = Specials{BOS: t.idOr(BOSToken), EOS: t.idOr(EOSToken), PAD: t.idOr(PADToken), UNK: t.idOr(UNKToken), MASK: t.idOr(MASKToken)}
	t.cache.init()
	return t, nil
}

func (t *Tokenizer) idOr(tok string) int {
	if id, ok := t.vocab[tok]; ok {
		return id
	}
	return -1
}

// defaultAdded lists the special tokens recognised in text when the files
// (vocab.json + merges.txt) do not say: those of RoBERTa and GPT-2 that the
// vocabulary has; <mask> absorbs the space before it, as in RoBERTa.
func defaultAdded(vocab map[string]int) []AddedToken {
	var added []AddedToken
	for _, name := range []string{BOSToken, PADToken, EOSToken, UNKToken, MASKToken, EndOfText} {
		if id, ok := vocab[name]; ok {
			added = append(added, AddedToken{Content: name, ID: id, Special: true, LStrip: name == MASKToken})
		}
	}
	return added
}

// VocabSize is one more than the largest id: the size of an embedding table
// for this tokenizer.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// TokenID returns the id of token tok (in byte-level form, e.g. "Ġthe").
func (t *Tokenizer) TokenID(tok string) (int, bool) {
	id, ok := t.vocab[tok]
	return id, ok
}

// Token returns the token with id id (in byte-level form), and false for an
// id that no token has.
func (t *Tokenizer) Token(id int) (string, bool) {
	if id < 0 || id >= len(t.tokens) || t.tokens[id] == "" {
		return "", false
	}
	return t.tokens[id], true
}

// Specials returns the ids of the special tokens.
func (t *Tokenizer) Specials() Specials { return t.specials }

// BOS is the id of <s> (-1 if absent); likewise EOS, PAD, UNK and MASK.
func (t *Tokenizer) BOS() int  { return t.specials.BOS }
func (t *Tokenizer) EOS() int  { return t.specials.EOS }
func (t *Tokenizer) PAD() int  { return t.specials.PAD }
func (t *Tokenizer) UNK() int  { return t.specials.UNK }
func (t *Tokenizer) MASK() int { return t.specials.MASK }

// AddedTokens returns the tokens matched in raw text, by id.
func (t *Tokenizer) AddedTokens() []AddedToken {
	out := append([]AddedToken(nil), t.added...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// IsSpecial reports whether id is a special added token.
func (t *Tokenizer) IsSpecial(id int) bool {
	i, ok := t.addedByID[id]
	return ok && t.added[i].Special
}

// NumMerges is the number of merges (ranks).
func (t *Tokenizer) NumMerges() int { return len(t.mergeList) }

// Encode returns the ids of text, with added tokens in the text recognised
// but no special tokens added around it.
func (t *Tokenizer) Encode(text string) []int {
	ids, _ := t.encode(nil, nil, text, true, false)
	return ids
}

// EncodeOrdinary is Encode with every part of the text treated as ordinary
// text: "<mask>" in the text is spelled out in BPE tokens.
func (t *Tokenizer) EncodeOrdinary(text string) []int {
	ids, _ := t.encode(nil, nil, text, false, false)
	return ids
}

// Offset is a token's byte span [Start, End) in the text it came from.
// Special tokens that the encoder adds, and padding, have {0, 0}. Spans are
// not trimmed: the span of "Ġworld" includes its space (HF's trim_offsets
// would drop it), and a token that holds part of a multi-byte character
// covers just its bytes.
type Offset struct{ Start, End int }

// encode appends the ids of text to ids and, if withOffsets, their offsets.
func (t *Tokenizer) encode(ids []int, offs []Offset, text string, splitAdded, withOffsets bool) ([]int, []Offset) {
	if !splitAdded || len(t.added) == 0 {
		return t.encodeText(ids, offs, text, 0, withOffsets)
	}
	var next [8]int
	nexts := next[:0]
	if len(t.added) > len(next) {
		nexts = make([]int, 0, len(t.added))
	}
	for range t.added {
		nexts = append(nexts, -2) // not searched yet
	}
	segStart := 0
	for pos := 0; pos <= len(text); {
		// Leftmost match at or after pos; the longest at one place (t.added is
		// sorted longest first).
		best := -1
		for k := range t.added {
			if nexts[k] != -1 && nexts[k] < pos {
				if i := strings.Index(text[pos:], t.added[k].Content); i >= 0 {
					nexts[k] = pos + i
				} else {
					nexts[k] = -1
				}
			}
			if nexts[k] >= 0 && (best < 0 || nexts[k] < nexts[best]) {
				best = k
			}
		}
		if best < 0 {
			break
		}
		a := &t.added[best]
		start, end := nexts[best], nexts[best]+len(a.Content)
		segEnd := start
		if a.LStrip {
			for segEnd > segStart {
				r, n := utf8.DecodeLastRuneInString(text[segStart:segEnd])
				if !unicode.IsSpace(r) {
					break
				}
				segEnd -= n
			}
		}
		ids, offs = t.encodeText(ids, offs, text[segStart:segEnd], segStart, withOffsets)
		ids = append(ids, a.ID)
		if withOffsets {
			offs = append(offs, Offset{start, end})
		}
		if a.RStrip {
			for end < len(text) {
				r, n := utf8.DecodeRuneInString(text[end:])
				if !unicode.IsSpace(r) {
					break
				}
				end += n
			}
		}
		segStart, pos = end, end
	}
	return t.encodeText(ids, offs, text[segStart:], segStart, withOffsets)
}

// encodeText encodes text (without added tokens) that starts at byte base of
// the caller's text.
func (t *Tokenizer) encodeText(ids []int, offs []Offset, text string, base int, withOffsets bool) ([]int, []Offset) {
	if text == "" {
		return ids, offs
	}
	if t.addPrefixSpace && text[0] != ' ' {
		// The prefix space has no place in the text: the first token's span
		// starts at base anyway.
		n := len(ids)
		ids, offs = t.encodeText(ids, offs, " "+text, base-1, withOffsets)
		if withOffsets && len(offs) > n && offs[n].Start < base {
			offs[n].Start = base
		}
		return ids, offs
	}
	var buf [64]int32
	for i := 0; i < len(text); {
		j := nextWord(text, i)
		word := text[i:j]
		n := len(ids)
		if len(word) <= 2 {
			// At most one merge: cheaper than a cache look-up.
			for _, id := range t.bpe(buf[:0], word) {
				ids = append(ids, int(id))
			}
		} else if cached, ok := t.cache.get(word); ok {
			for _, id := range cached {
				ids = append(ids, int(id))
			}
		} else {
			merged := t.bpe(buf[:0], word)
			t.cache.put(word, merged)
			for _, id := range merged {
				ids = append(ids, int(id))
			}
		}
		if withOffsets {
			p := base + i
			for _, id := range ids[n:] {
				l := int(t.byteLen[id])
				if id == t.specials.UNK {
					l = 1 // stands for one byte that has no symbol
				}
				offs = append(offs, Offset{p, min(p+l, base+j)})
				p += l
			}
		}
		i = j
	}
	return ids, offs
}

// Decode returns the text of ids. Special tokens are left out when
// skipSpecial; ids that no token has are always left out.
func (t *Tokenizer) Decode(ids []int, skipSpecial bool) string {
	return string(t.AppendDecode(nil, ids, skipSpecial))
}

// AppendDecode appends the bytes of the text of ids to dst (see Decode).
func (t *Tokenizer) AppendDecode(dst []byte, ids []int, skipSpecial bool) []byte {
	for _, id := range ids {
		if id < 0 || id >= len(t.tokens) || t.tokens[id] == "" {
			continue
		}
		if i, ok := t.addedByID[id]; ok {
			if skipSpecial && t.added[i].Special {
				continue
			}
			dst = append(dst, t.added[i].Content...)
			continue
		}
		dst = appendUnByteLevel(dst, t.tokens[id])
	}
	return dst
}
