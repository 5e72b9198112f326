package tokenizer

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"testing"
	"unicode"
)

func TestByteAlphabet(t *testing.T) {
	seen := map[rune]bool{}
	for b := 0; b < 256; b++ {
		r := ByteToRune(byte(b))
		if seen[r] {
			t.Fatalf("rune %U used twice", r)
		}
		seen[r] = true
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			t.Errorf("byte %#x -> %U is not printable or is space", b, r)
		}
		if back, ok := RuneToByte(r); !ok || back != byte(b) {
			t.Errorf("RuneToByte(%U) = %#x, %v; want %#x", r, back, ok, b)
		}
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		if printable != (r == rune(b)) {
			t.Errorf("byte %#x -> %U", b, r)
		}
	}
	// GPT-2's well-known symbols.
	for b, want := range map[byte]rune{' ': 'Ġ', '\n': 'Ċ', '\t': 'ĉ', 0: 'Ā', 0xAD: 'Ń', 0x7F: 'ġ'} {
		if got := ByteToRune(b); got != want {
			t.Errorf("ByteToRune(%#x) = %q, want %q", b, got, want)
		}
	}
	if got := ByteLevel(" the\n\xff"); got != "ĠtheĊÿ" {
		t.Errorf("ByteLevel = %q", got)
	}
	if got := string(FromByteLevel("ĠtheĊÿ")); got != " the\n\xff" {
		t.Errorf("FromByteLevel = %q", got)
	}
	if _, ok := RuneToByte('a' + 1000); ok {
		t.Error("RuneToByte accepted a rune outside the alphabet")
	}
}

// The splits below follow the regex by hand (see pretok.go).
func TestPreTokenizeCases(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Hello world", []string{"Hello", " world"}},
		{"  hello", []string{" ", " hello"}},
		{"hello  ", []string{"hello", "  "}},
		{"   ", []string{"   "}},
		{"a\n\nb", []string{"a", "\n", "\n", "b"}},
		{"a \n b", []string{"a", " \n", " b"}},
		{"it's", []string{"it", "'s"}},
		{"IT'S", []string{"IT", "'", "S"}},
		{"we'll've'd'm're't", []string{"we", "'ll", "'ve", "'d", "'m", "'re", "'t"}},
		{"'", []string{"'"}},
		{"'l", []string{"'", "l"}},
		{"?'s", []string{"?'", "s"}},
		{" 's", []string{" '", "s"}},
		{"123abc 45", []string{"123", "abc", " 45"}},
		{"hello!!! world", []string{"hello", "!!!", " world"}},
		{" !!", []string{" !!"}},
		{"a\u00a0b", []string{"a", "\u00a0", "b"}},
		{"a \u00a0b", []string{"a", " ", "\u00a0", "b"}},
		{"x\u0301y", []string{"x", "\u0301", "y"}},
		{"E = mc²", []string{"E", " =", " mc", "²"}},
		{"\xff\xfe", []string{"\xff\xfe"}},
		{" \xffa", []string{" \xff", "a"}},
		{"a\xc3", []string{"a", "\xc3"}},
		{"\t\tx", []string{"\t", "\t", "x"}},
		{"x \t", []string{"x", " \t"}},
	}
	for _, c := range cases {
		if got := PreTokenize(c.in); !slices.Equal(got, c.want) {
			t.Errorf("PreTokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestPreTokenizeFixture compares with the regex itself, run by Python's re
// on random texts (testdata/pretok/gen.py).
func TestPreTokenizeFixture(t *testing.T) {
	f, err := os.Open("testdata/pretok/splits.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		var c struct {
			Text  string
			Words []string
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("splits.jsonl:%d: %v", line, err)
		}
		if got := PreTokenize(c.Text); !slices.Equal(got, c.Words) && !(len(got) == 0 && len(c.Words) == 0) {
			t.Errorf("splits.jsonl:%d: PreTokenize(%q) = %q, want %q", line, c.Text, got, c.Words)
		}
		n++
	}
	if n < 1000 {
		t.Fatalf("only %d fixture lines", n)
	}
}

func FuzzPreTokenize(f *testing.F) {
	f.Add("Hello  world\n\n it's ²\xff")
	f.Fuzz(func(t *testing.T, s string) {
		words := PreTokenize(s)
		joined := ""
		for _, w := range words {
			if w == "" {
				t.Fatalf("empty word in %q", s)
			}
			joined += w
		}
		if joined != s {
			t.Fatalf("words %q do not tile %q", words, s)
		}
	})
}
