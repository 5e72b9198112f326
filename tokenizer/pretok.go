package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// The GPT-2 pre-tokenizer splits text into words with the regular expression
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// matched leftmost-first, over and over from the end of the previous match.
// Go's regexp has no lookahead, so splitWords implements the same matcher by
// hand. \s is the Unicode White_Space property (unicode.IsSpace), \p{L}
// unicode.IsLetter and \p{N} unicode.IsNumber. A byte that is not valid
// UTF-8 counts as one character of the last class ([^\s\p{L}\p{N}]), like
// U+FFFD would.

type charClass uint8

const (
	classOther charClass = iota
	classLetter
	classNumber
	classSpace
)

var asciiClass [128]charClass

func init() {
	for c := 0; c < 128; c++ {
		r := rune(c)
		switch {
		case unicode.IsLetter(r):
			asciiClass[c] = classLetter
		case unicode.IsNumber(r):
			asciiClass[c] = classNumber
		case unicode.IsSpace(r):
			asciiClass[c] = classSpace
		default:
			asciiClass[c] = classOther
		}
	}
}

// classAt returns the class of the character that starts at s[i] and its
// length in bytes (1 for an invalid byte).
func classAt(s string, i int) (charClass, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n <= 1 {
		return classOther, 1
	}
	switch {
	case unicode.IsLetter(r):
		return classLetter, n
	case unicode.IsNumber(r):
		return classNumber, n
	case unicode.IsSpace(r):
		return classSpace, n
	}
	return classOther, n
}

// runEnd returns the end of the run of characters of class cl starting at i.
func runEnd(s string, i int, cl charClass) int {
	for i < len(s) {
		c, n := classAt(s, i)
		if c != cl {
			break
		}
		i += n
	}
	return i
}

// nextWord returns the end of the word that starts at s[i], i < len(s).
func nextWord(s string, i int) int {
	// 's|'t|'re|'ve|'m|'ll|'d
	if s[i] == '\'' && i+1 < len(s) {
		switch s[i+1] {
		case 's', 't', 'm', 'd':
			return i + 2
		case 'r', 'v':
			if i+2 < len(s) && s[i+2] == 'e' {
				return i + 3
			}
		case 'l':
			if i+2 < len(s) && s[i+2] == 'l' {
				return i + 3
			}
		}
	}
	cl, n := classAt(s, i)
	// ' ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+' with the optional ASCII space.
	if s[i] == ' ' && i+1 < len(s) {
		if next, m := classAt(s, i+1); next != classSpace {
			return runEnd(s, i+1+m, next)
		}
	}
	if cl != classSpace {
		return runEnd(s, i+n, cl)
	}
	// \s+(?!\S)|\s+ : a run of white space that reaches the end of the text is
	// one word; one followed by other text leaves its last character to the
	// next word (where ' ' may prefix it), unless the run is one character.
	end := i + n
	last := i
	for end < len(s) {
		c, m := classAt(s, end)
		if c != classSpace {
			if last > i {
				return last
			}
			return end
		}
		last = end
		end += m
	}
	return end
}

// splitWords calls f(start, end) for each pre-tokenizer word of s, in order.
// The words tile s exactly.
func splitWords(s string, f func(start, end int)) {
	for i := 0; i < len(s); {
		j := nextWord(s, i)
		f(i, j)
		i = j
	}
}

// PreTokenize splits text into the words of the GPT-2 pre-tokenizer (the
// regular expression above); concatenated they give text back.
func PreTokenize(text string) []string {
	var words []string
	splitWords(text, func(start, end int) { words = append(words, text[start:end]) })
	return words
}
