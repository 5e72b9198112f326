// Second anchor for BenchmarkEncode: Hugging Face's tokenizers.js
// (npm @huggingface/tokenizers@0.2.0) encoding the same prose with GPT-2's
// vocabulary and merges. Prints MB/s and tokens/s, best of 5 passes, after
// checking the 64 r50k_base blocks of TestPlans.txt.
//
// Run from tokenizer/ (package untarred in /tmp, see testdata/README.md):
//   node testdata/bench/hfjs_encode.mjs /tmp/package
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const { Tokenizer } = await import(pathToFileURL(path.join(process.argv[2], "dist", "tokenizers.mjs")).href);
const vocab = JSON.parse(fs.readFileSync("testdata/gpt2/encoder.json", "utf8"));
const merges = fs.readFileSync("testdata/gpt2/vocab.bpe", "utf8").split("\n").filter((l) => l && !l.startsWith("#version"));
const tok = new Tokenizer({
  version: "1.0", truncation: null, padding: null,
  added_tokens: [{ id: 50256, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: null,
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab, merges },
}, { clean_up_tokenization_spaces: false });

let checked = 0;
for (const blk of fs.readFileSync("testdata/gpt2/TestPlans.txt", "utf8").split("\n\n")) {
  const lines = blk.replace(/^\n+|\n+$/g, "").split("\n");
  if (lines.length < 3 || lines[0] !== "EncodingName: r50k_base") continue;
  const sample = lines[1].slice("Sample: ".length);
  const want = JSON.stringify(JSON.parse(lines[2].slice("Encoded: ".length)));
  const got = JSON.stringify(tok.encode(sample, { add_special_tokens: false }).ids);
  if (got !== want) throw new Error(`TestPlans mismatch on ${JSON.stringify(sample)}: ${got} != ${want}`);
  checked++;
}
const text = fs.readFileSync("testdata/prose/sense-and-sensibility.txt", "utf8");
const bytes = Buffer.byteLength(text, "utf8");
let best = Infinity, n = 0;
for (let i = 0; i < 5; i++) {
  const t0 = process.hrtime.bigint();
  n = tok.encode(text, { add_special_tokens: false }).ids.length;
  best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
}
console.log(`tokenizers.js gpt2: ${(bytes / best / 1e6).toFixed(2)} MB/s, ${(n / best / 1e6).toFixed(3)} Mtokens/s (${checked} TestPlans blocks checked)`);
