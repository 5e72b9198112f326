package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Save writes vocab.json (token -> id, in id order) and merges.txt (a
// "#version: 0.2" line, then one merge a line, by rank) into dir, creating it
// if needed. Each file is written atomically: a temporary file in dir,
// fsynced, then renamed over the old one. Load reads them back; added tokens
// other than the RoBERTa and GPT-2 specials lose their flags (SaveTokenizerJSON
// keeps them).
func (t *Tokenizer) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var v bytes.Buffer
	v.WriteString("{")
	writeVocab(&v, t.tokens, "")
	v.WriteString("\n}\n")
	var m bytes.Buffer
	m.WriteString("#version: 0.2\n")
	for i, p := range t.mergeList {
		a, b := t.tokens[p[0]], t.tokens[p[1]]
		if bytes.ContainsAny([]byte(a+b), " \n\r") {
			return fmt.Errorf("tokenizer: merge %d (%q, %q) has white space and cannot be written to merges.txt", i, a, b)
		}
		m.WriteString(a)
		m.WriteByte(' ')
		m.WriteString(b)
		m.WriteByte('\n')
	}
	if err := WriteFileAtomic(filepath.Join(dir, "vocab.json"), v.Bytes()); err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(dir, "merges.txt"), m.Bytes())
}

// writeVocab writes the members "token": id of a JSON vocabulary, in id
// order (ids without a token skipped), each on its own line after indent,
// comma-separated, without the braces.
func writeVocab(b *bytes.Buffer, tokens []string, indent string) {
	first := true
	for id, tok := range tokens {
		if tok == "" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.WriteByte('\n')
		b.WriteString(indent)
		b.Write(quoteJSON(tok))
		b.WriteString(": ")
		b.WriteString(strconv.Itoa(id))
	}
}

// quoteJSON is s as a JSON string, without escaping <, > and &.
func quoteJSON(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}

// WriteFileAtomic writes data to path so that path holds either its old
// contents or all of data, never a part: a temporary file beside path is
// written, fsynced and renamed over path, and the directory is fsynced.
func WriteFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // best effort: some file systems cannot sync a directory
		d.Close()
	}
	return nil
}

// SaveTokenizerJSON writes the tokenizer as a Hugging Face tokenizer.json
// (atomically): model BPE with vocab in id order and merges as "a b"
// strings, the ByteLevel pre-tokenizer and decoder, added_tokens with their
// flags, and RoBERTa's post-processor when <s> and </s> exist.
// LoadTokenizerJSON reads it back with nothing lost.
func (t *Tokenizer) SaveTokenizerJSON(path string) error {
	var b bytes.Buffer
	b.WriteString("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
	for i, a := range t.AddedTokens() {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n    {\"id\": %d, \"content\": %s, \"single_word\": false, \"lstrip\": %t, \"rstrip\": %t, \"normalized\": false, \"special\": %t}",
			a.ID, quoteJSON(a.Content), a.LStrip, a.RStrip, a.Special)
	}
	b.WriteString("\n  ],\n  \"normalizer\": null,\n")
	fmt.Fprintf(&b, "  \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": %t, \"trim_offsets\": true, \"use_regex\": true},\n", t.addPrefixSpace)
	if sp := t.specials; sp.BOS >= 0 && sp.EOS >= 0 {
		fmt.Fprintf(&b, "  \"post_processor\": {\"type\": \"RobertaProcessing\", \"sep\": [%s, %d], \"cls\": [%s, %d], \"trim_offsets\": true, \"add_prefix_space\": %t},\n",
			quoteJSON(EOSToken), sp.EOS, quoteJSON(BOSToken), sp.BOS, t.addPrefixSpace)
	} else {
		b.WriteString("  \"post_processor\": null,\n")
	}
	b.WriteString("  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n")
	b.WriteString("  \"model\": {\n    \"type\": \"BPE\",\n    \"dropout\": null,\n    \"unk_token\": null,\n    \"continuing_subword_prefix\": \"\",\n    \"end_of_word_suffix\": \"\",\n    \"fuse_unk\": false,\n    \"byte_fallback\": false,\n    \"vocab\": {")
	writeVocab(&b, t.tokens, "      ")
	b.WriteString("\n    },\n    \"merges\": [")
	for i, p := range t.mergeList {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n      ")
		b.Write(quoteJSON(t.tokens[p[0]] + " " + t.tokens[p[1]]))
	}
	b.WriteString("\n    ]\n  }\n}\n")
	return WriteFileAtomic(path, b.Bytes())
}
