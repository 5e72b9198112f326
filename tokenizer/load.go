package tokenizer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxID bounds the ids a vocabulary may use, so that a corrupt file cannot
// make the id table huge.
const maxID = 1 << 24

// Load reads a GPT-2/RoBERTa tokenizer from vocab.json (token -> id) and
// merges.txt (one merge "a b" a line, by rank; a first line "#version ..." is
// skipped). Special tokens of RoBERTa (<s> </s> <pad> <unk> <mask>) and GPT-2
// (<|endoftext|>) that the vocabulary has are recognised in text.
func Load(vocabPath, mergesPath string) (*Tokenizer, error) {
	vf, err := os.Open(vocabPath)
	if err != nil {
		return nil, err
	}
	defer vf.Close()
	mf, err := os.Open(mergesPath)
	if err != nil {
		return nil, err
	}
	defer mf.Close()
	return fromReaders(vf, mf, vocabPath, mergesPath)
}

// FromReaders is Load from readers; errors name them vocab.json and merges.txt.
func FromReaders(vocab, merges io.Reader) (*Tokenizer, error) {
	return fromReaders(vocab, merges, "vocab.json", "merges.txt")
}

func fromReaders(vocabR, mergesR io.Reader, vocabName, mergesName string) (*Tokenizer, error) {
	data, err := io.ReadAll(vocabR)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vocabName, err)
	}
	vocab, err := parseVocab(data, 1, vocabName)
	if err != nil {
		return nil, err
	}
	merges, err := parseMerges(mergesR, mergesName, vocab)
	if err != nil {
		return nil, err
	}
	t, err := newTokenizer(vocab, merges, defaultAdded(vocab))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", vocabName, err)
	}
	return t, nil
}

// LoadDir loads the tokenizer of a model directory: tokenizer.json if it is
// there, else vocab.json and merges.txt.
func LoadDir(dir string) (*Tokenizer, error) {
	p := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(p); err == nil {
		return LoadTokenizerJSON(p)
	}
	return Load(filepath.Join(dir, "vocab.json"), filepath.Join(dir, "merges.txt"))
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// parseVocab reads a JSON object token -> id. firstLine is the line of
// data[0] in the file called name.
func parseVocab(data []byte, firstLine int, name string) (map[string]int, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, firstLine-1+lineAt(data, dec.InputOffset()), fmt.Sprintf(format, args...))
	}
	wrap := func(err error) error {
		off := dec.InputOffset()
		var se *json.SyntaxError
		if errors.As(err, &se) {
			off = se.Offset
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%s:%d: %v", name, firstLine-1+lineAt(data, off), err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, wrap(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fail("want a JSON object of token -> id")
	}
	vocab := make(map[string]int)
	byID := make(map[int]string)
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, wrap(err)
		}
		key := kt.(string) // object keys are strings
		vt, err := dec.Token()
		if err != nil {
			return nil, wrap(err)
		}
		num, ok := vt.(json.Number)
		if !ok {
			return nil, fail("token %q: id is %v, want an integer", key, vt)
		}
		id64, err := num.Int64()
		if err != nil || id64 < 0 || id64 >= maxID {
			return nil, fail("token %q: id %s is not an integer in [0, %d)", key, num, maxID)
		}
		id := int(id64)
		if key == "" {
			return nil, fail("empty token (id %d)", id)
		}
		if _, dup := vocab[key]; dup {
			return nil, fail("token %q appears twice", key)
		}
		if other, dup := byID[id]; dup {
			return nil, fail("tokens %q and %q share id %d", other, key, id)
		}
		vocab[key] = id
		byID[id] = key
	}
	if _, err := dec.Token(); err != nil {
		return nil, wrap(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fail("data after the vocabulary object")
	}
	if len(vocab) == 0 {
		return nil, fail("empty vocabulary")
	}
	return vocab, nil
}

// resolveMerge returns the ids of a merge's two tokens, checking that they
// and the merged token are in the vocabulary.
func resolveMerge(vocab map[string]int, a, b string) ([2]int32, error) {
	ia, ok := vocab[a]
	if !ok {
		return [2]int32{}, fmt.Errorf("token %q is not in the vocabulary", a)
	}
	ib, ok := vocab[b]
	if !ok {
		return [2]int32{}, fmt.Errorf("token %q is not in the vocabulary", b)
	}
	if _, ok := vocab[a+b]; !ok {
		return [2]int32{}, fmt.Errorf("merged token %q is not in the vocabulary", a+b)
	}
	return [2]int32{int32(ia), int32(ib)}, nil
}

// parseMerges reads merges.txt: "a b" per line, by rank, blank lines and a
// "#version" line skipped.
func parseMerges(r io.Reader, name string, vocab map[string]int) ([][2]int32, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	var merges [][2]int32
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSuffix(sc.Text(), "\r")
		if s == "" || strings.HasPrefix(s, "#version") {
			continue
		}
		a, b, ok := strings.Cut(s, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			return nil, fmt.Errorf("%s:%d: %q is not two tokens separated by one space", name, line, s)
		}
		p, err := resolveMerge(vocab, a, b)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		merges = append(merges, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return merges, nil
}

// The parts of HF's tokenizer.json that a byte-level BPE needs.
type tokenizerJSON struct {
	AddedTokens []struct {
		ID      *int   `json:"id"`
		Content string `json:"content"`
		LStrip  bool   `json:"lstrip"`
		RStrip  bool   `json:"rstrip"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
	Normalizer   json.RawMessage `json:"normalizer"`
	PreTokenizer json.RawMessage `json:"pre_tokenizer"`
	Model        struct {
		Type                    string            `json:"type"`
		Vocab                   json.RawMessage   `json:"vocab"`
		Merges                  []json.RawMessage `json:"merges"`
		ContinuingSubwordPrefix string            `json:"continuing_subword_prefix"`
		EndOfWordSuffix         string            `json:"end_of_word_suffix"`
	} `json:"model"`
}

type preTokenizerJSON struct {
	Type           string `json:"type"`
	AddPrefixSpace bool   `json:"add_prefix_space"`
	UseRegex       *bool  `json:"use_regex"`
}

func isNull(m json.RawMessage) bool {
	s := bytes.TrimSpace(m)
	return len(s) == 0 || string(s) == "null"
}

// LoadTokenizerJSON reads a Hugging Face tokenizer.json whose model is a
// byte-level BPE (model.type "BPE", pre_tokenizer ByteLevel, no normalizer),
// as RoBERTa's and GPT-2's are. model.merges may hold strings "a b" or pairs
// ["a", "b"]; added_tokens are recognised in text (special ones are skipped
// by Decode(ids, true)) with their lstrip and rstrip (single_word is not
// implemented and ignored); ByteLevel's add_prefix_space is honoured.
// post_processor and decoder are not read: EncodeSingle and EncodePair add
// RoBERTa's <s> and </s>, and Decode undoes the byte-level alphabet.
func LoadTokenizerJSON(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseTokenizerJSON(data, path)
}

// TokenizerJSONFromBytes is LoadTokenizerJSON on the file's contents; errors
// call it name.
func TokenizerJSONFromBytes(data []byte, name string) (*Tokenizer, error) {
	return parseTokenizerJSON(data, name)
}

func parseTokenizerJSON(data []byte, name string) (*Tokenizer, error) {
	var tj tokenizerJSON
	if err := json.Unmarshal(data, &tj); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			return nil, fmt.Errorf("%s:%d: %v", name, lineAt(data, se.Offset), err)
		case errors.As(err, &te):
			return nil, fmt.Errorf("%s:%d: %v", name, lineAt(data, te.Offset), err)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if tj.Model.Type != "" && tj.Model.Type != "BPE" {
		return nil, fmt.Errorf("%s: model.type is %q; only BPE is supported", name, tj.Model.Type)
	}
	if tj.Model.ContinuingSubwordPrefix != "" || tj.Model.EndOfWordSuffix != "" {
		return nil, fmt.Errorf("%s: model.continuing_subword_prefix and end_of_word_suffix are not supported", name)
	}
	if !isNull(tj.Normalizer) {
		return nil, fmt.Errorf("%s: normalizer %s is not supported (byte-level BPE has none)", name, bytes.TrimSpace(tj.Normalizer))
	}
	addPrefix := false
	if isNull(tj.PreTokenizer) {
		return nil, fmt.Errorf("%s: pre_tokenizer is missing; want ByteLevel", name)
	}
	var pt preTokenizerJSON
	if err := json.Unmarshal(tj.PreTokenizer, &pt); err != nil || pt.Type != "ByteLevel" || (pt.UseRegex != nil && !*pt.UseRegex) {
		return nil, fmt.Errorf("%s: pre_tokenizer %s is not supported; want ByteLevel with use_regex", name, bytes.TrimSpace(tj.PreTokenizer))
	}
	addPrefix = pt.AddPrefixSpace
	if isNull(tj.Model.Vocab) {
		return nil, fmt.Errorf("%s: model.vocab is missing", name)
	}
	first := 1
	if i := bytes.Index(data, tj.Model.Vocab); i >= 0 {
		first = lineAt(data, int64(i))
	}
	vocab, err := parseVocab(tj.Model.Vocab, first, name+": model.vocab")
	if err != nil {
		return nil, err
	}
	merges := make([][2]int32, 0, len(tj.Model.Merges))
	for i, raw := range tj.Model.Merges {
		var a, b string
		var s string
		var pair []string
		if err := json.Unmarshal(raw, &s); err == nil {
			var ok bool
			a, b, ok = strings.Cut(s, " ")
			if !ok || a == "" || b == "" || strings.Contains(b, " ") {
				return nil, fmt.Errorf("%s: model.merges[%d]: %q is not two tokens separated by one space", name, i, s)
			}
		} else if err := json.Unmarshal(raw, &pair); err == nil && len(pair) == 2 {
			a, b = pair[0], pair[1]
		} else {
			return nil, fmt.Errorf("%s: model.merges[%d]: %s is neither \"a b\" nor [\"a\", \"b\"]", name, i, raw)
		}
		p, err := resolveMerge(vocab, a, b)
		if err != nil {
			return nil, fmt.Errorf("%s: model.merges[%d]: %w", name, i, err)
		}
		merges = append(merges, p)
	}
	var added []AddedToken
	for i, at := range tj.AddedTokens {
		if at.ID == nil || *at.ID < 0 || *at.ID >= maxID || at.Content == "" {
			return nil, fmt.Errorf("%s: added_tokens[%d]: want a content and an id in [0, %d)", name, i, maxID)
		}
		added = append(added, AddedToken{Content: at.Content, ID: *at.ID, Special: at.Special, LStrip: at.LStrip, RStrip: at.RStrip})
	}
	t, err := newTokenizer(vocab, merges, added)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t.addPrefixSpace = addPrefix
	return t, nil
}
