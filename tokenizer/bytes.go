package tokenizer

import "unicode/utf8"

// GPT-2's byte-level alphabet: every byte b is written as one printable rune,
// so that a token is a plain string without spaces or control characters.
// Bytes that are printable and not a space ('!'..'~', '¡'..'¬', '®'..'ÿ')
// stand for themselves; the other 68 bytes, in increasing order, get the runes
// U+0100, U+0101, ... (so ' ' = 0x20 becomes 'Ġ' = U+0120 and '\n' becomes
// 'Ċ' = U+010A).
var (
	byteToRune [256]rune
	byteToStr  [256]string // string(byteToRune[b])
	runeToByte map[rune]byte
)

func init() {
	runeToByte = make(map[rune]byte, 256)
	n := rune(0)
	for b := 0; b < 256; b++ {
		var r rune
		if ('!' <= b && b <= '~') || (0xA1 <= b && b <= 0xAC) || (0xAE <= b && b <= 0xFF) {
			r = rune(b)
		} else {
			r = 256 + n
			n++
		}
		byteToRune[b] = r
		byteToStr[b] = string(r)
		runeToByte[r] = byte(b)
	}
}

// ByteToRune returns the rune that stands for byte b in byte-level BPE tokens.
func ByteToRune(b byte) rune { return byteToRune[b] }

// RuneToByte returns the byte that rune r stands for in byte-level BPE
// tokens, and false when r is not one of the 256 runes of the alphabet.
func RuneToByte(r rune) (byte, bool) {
	b, ok := runeToByte[r]
	return b, ok
}

// ByteLevel returns s written in the byte-level alphabet, each byte as its
// rune: the form tokens have in vocab.json (ByteLevel(" the") == "Ġthe").
func ByteLevel(s string) string {
	dst := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		dst = utf8.AppendRune(dst, byteToRune[s[i]])
	}
	return string(dst)
}

// FromByteLevel returns the bytes that a byte-level token stands for.
func FromByteLevel(tok string) []byte { return appendUnByteLevel(nil, tok) }

// appendUnByteLevel appends the bytes that the byte-level token tok stands
// for. A rune outside the alphabet (possible only in a hand-made vocabulary)
// is copied as its UTF-8 encoding.
func appendUnByteLevel(dst []byte, tok string) []byte {
	for _, r := range tok {
		if b, ok := runeToByte[r]; ok {
			dst = append(dst, b)
		} else {
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst
}
