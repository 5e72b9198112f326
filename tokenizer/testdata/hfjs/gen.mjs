// Reference encodings of a RoBERTa-style tokenizer by Hugging Face's
// tokenizers.js (npm @huggingface/tokenizers@0.2.0, a port of HF tokenizers),
// for TestHFParity.
//
// The tokenizer is the one the Go test builds with roberta(): GPT-2's
// vocabulary shifted up by 4, <s>=0 <pad>=1 </s>=2 <unk>=3 and <mask> last
// (lstrip, as RoBERTa's tokenizer.json has it), GPT-2's merges, ByteLevel
// pre-tokenizer without prefix space, RobertaProcessing.
//
// Run from tokenizer/:
//   (cd /tmp && npm pack @huggingface/tokenizers@0.2.0 && tar xzf huggingface-tokenizers-0.2.0.tgz)
//   node testdata/hfjs/gen.mjs /tmp/package > testdata/hfjs/roberta.jsonl
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const pkg = process.argv[2];
const { Tokenizer } = await import(pathToFileURL(path.join(pkg, "dist", "tokenizers.mjs")).href);

const enc = JSON.parse(fs.readFileSync("testdata/gpt2/encoder.json", "utf8"));
const vocab = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
let last = 0;
for (const [tok, id] of Object.entries(enc)) {
  if (tok === "<|endoftext|>") continue;
  vocab[tok] = id + 4;
  last = Math.max(last, id + 4);
}
vocab["<mask>"] = last + 1;
const merges = fs.readFileSync("testdata/gpt2/vocab.bpe", "utf8").split("\n").filter((l) => l && !l.startsWith("#version"));
const special = (content, id, lstrip) => ({ id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true });
const tokenizerJSON = {
  version: "1.0",
  truncation: null,
  padding: null,
  added_tokens: [special("<s>", 0, false), special("<pad>", 1, false), special("</s>", 2, false), special("<unk>", 3, false), special("<mask>", last + 1, true)],
  normalizer: null,
  pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: "RobertaProcessing", sep: ["</s>", 2], cls: ["<s>", 0], trim_offsets: true, add_prefix_space: false },
  decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab, merges },
};
const config = { tokenizer_class: "RobertaTokenizer", clean_up_tokenization_spaces: false, model_max_length: 512 };
const tok = new Tokenizer(tokenizerJSON, config);

const texts = [
  "", "Hello world", " Hello world", "Hello world ", "Hello  world", "Hello\n\nworld\n",
  "The capital of France is <mask>.", "The capital of France is<mask>.", "<mask>", " <mask>", "  <mask>  x",
  "a\t<mask>\nb", "<mask><mask> <mask>", "<s>Hello</s>", "<s> Hello </s>", "x<pad><pad>", "<unk> y",
  "<s<s>>", "</s></s>", "<mask >", "it's I'll we've 'S", "E = mc², 1234567 ½", "こんにちは、世界！",
  "Ünïcödé ñ 🇫🇷 👩‍⚕️", "tab\tsep\r\nline", "   leading and trailing   ", "<|endoftext|>",
];
// No empty second text: tokenizers.js takes text_pair "" for no pair (JS
// falsiness), where HF's Rust tokenizers encode a pair with an empty second.
const pairs = [
  ["Hello world", "How are you?"], ["", "b"], ["Is it <mask>?", "Yes it is <mask> ."],
  [" spaced ", " out "], ["<s>x</s>", "y"],
];
const out = [];
for (const t of texts) {
  out.push({ text: t, ids: tok.encode(t, { add_special_tokens: false }).ids, with_specials: tok.encode(t).ids });
}
for (const [a, b] of pairs) {
  out.push({ text: a, pair: b, ids: tok.encode(a, { text_pair: b, add_special_tokens: false }).ids, with_specials: tok.encode(a, { text_pair: b }).ids });
}
for (const o of out) {
  o.decoded = tok.decode(o.with_specials, { skip_special_tokens: false });
  o.decoded_skip = tok.decode(o.with_specials, { skip_special_tokens: true });
  console.log(JSON.stringify(o));
}
