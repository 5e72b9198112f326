#!/usr/bin/env python3
"""Reference splits of GPT-2's pre-tokenizer regex, for TestPreTokenizeFixture.

GPT-2 splits text with the regex below (the `regex` module's syntax). Python's
`re` has lookahead but no \\p{..} classes, so the classes are spelled out from
unicodedata: L = categories L*, N = categories N*, \\s = Unicode White_Space.
Random texts are drawn from an alphabet of characters whose categories are
the same in every Unicode version since 6.0. Output: one JSON line per text,
{"text": ..., "words": [...]}. Run: python3 gen.py > splits.jsonl

Checked once against GPT-2's own pattern run by the `regex` module (Debian
python3-regex 0.1.20221031, whose \s is White_Space too): all 3000 lines agree.
"""
import json, random, re, sys, unicodedata

WHITE_SPACE = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680] + list(range(0x2000, 0x200B)) + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000]

def cls(pred):
    out, start, prev = [], None, None
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            ok = False
        else:
            ok = pred(cp)
        if ok and start is None:
            start = cp
        if not ok and start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return "".join(re.escape(chr(a)) if a == b else re.escape(chr(a)) + "-" + re.escape(chr(b)) for a, b in out)

L = cls(lambda cp: unicodedata.category(chr(cp)).startswith("L"))
N = cls(lambda cp: unicodedata.category(chr(cp)).startswith("N"))
S = "".join(re.escape(chr(c)) for c in WHITE_SPACE)
PAT = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d| ?[%s]+| ?[%s]+| ?[^%s%s%s]+|[%s]+(?![^%s])|[%s]+" % (L, N, S, L, N, S, S, S))

PIECES = ["a", "b", "Z", "the", "The", "é", "ß", "日本", "Ω", "x\u0301", "\u0301",
          "1", "42", "²", "Ⅻ", "٣", "'", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'l", "'r",
          " ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", "\u2009", "\x0b", "\x85",
          ",", ".", "!", "?!", "-", "_", "$", "€", "😀", "🇫🇷", "\u200d", "\x00", "\x1f", "<", ">"]

def main():
    rng = random.Random(20240529)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 14)))
        words = PAT.findall(text)
        assert "".join(words) == text, text
        print(json.dumps({"text": text, "words": words}))

main()
