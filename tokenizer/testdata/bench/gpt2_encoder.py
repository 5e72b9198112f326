#!/usr/bin/env python3
"""Anchor for BenchmarkEncode: GPT-2's encoding algorithm in plain Python.

The same algorithm as GPT-2's encoder.py (pre-tokenizer regex via the `regex`
module, byte-to-unicode map, merge the lowest-ranked pair until none is left,
a per-word cache), written for this benchmark. It checks its ids against
TestPlans.txt's r50k_base blocks, then times encoding the prose file and
prints MB/s and tokens/s.

Run from tokenizer/: /usr/bin/python3 testdata/bench/gpt2_encoder.py
(Debian: apt-get install python3-regex)
"""
import json, time
import regex

PAT = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def byte_alphabet():
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    out, n = {}, 0
    for b in range(256):
        if b in keep:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + n)
            n += 1
    return out


class Encoder:
    def __init__(self, vocab_path, merges_path):
        self.vocab = json.load(open(vocab_path, encoding="utf-8"))
        lines = open(merges_path, encoding="utf-8").read().split("\n")
        pairs = [tuple(l.split(" ")) for l in lines if l and not l.startswith("#version")]
        self.ranks = {p: i for i, p in reversed(list(enumerate(pairs)))}
        self.alpha = byte_alphabet()
        self.cache = {}

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        syms = list(word)
        while len(syms) > 1:
            best = min(range(len(syms) - 1), key=lambda i: self.ranks.get((syms[i], syms[i + 1]), 1 << 60))
            if (syms[best], syms[best + 1]) not in self.ranks:
                break
            a, b = syms[best], syms[best + 1]
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        ids = [self.vocab[s] for s in syms]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for w in PAT.findall(text):
            ids.extend(self.bpe("".join(self.alpha[b] for b in w.encode("utf-8"))))
        return ids


def main():
    enc = Encoder("testdata/gpt2/encoder.json", "testdata/gpt2/vocab.bpe")
    checked = 0
    blocks = open("testdata/gpt2/TestPlans.txt", encoding="utf-8").read().split("\n\n")
    for blk in blocks:
        lines = blk.strip("\n").split("\n")
        if len(lines) < 3 or lines[0] != "EncodingName: r50k_base":
            continue
        sample = lines[1][len("Sample: "):]
        want = json.loads(lines[2][len("Encoded: "):])
        assert enc.encode(sample) == want, sample
        checked += 1
    text = open("testdata/prose/sense-and-sensibility.txt", encoding="utf-8").read()
    nbytes = len(text.encode("utf-8"))
    for label, fresh in (("cold cache", True), ("warm cache", False)):
        best = None
        for _ in range(3):
            if fresh:
                enc.cache = {}
            t0 = time.perf_counter()
            ids = enc.encode(text)
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        print(f"python gpt2 encoder ({label}): {nbytes / best / 1e6:.2f} MB/s, {len(ids) / best / 1e6:.3f} Mtokens/s ({checked} TestPlans blocks checked)")


main()
