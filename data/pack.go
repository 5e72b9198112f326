package data

import (
	"fmt"
	"math"
	"slices"
)

// TextEncoder turns text into token ids without special tokens;
// *tokenizer.Tokenizer's Encode method satisfies it.
type TextEncoder interface {
	Encode(text string) []int
}

// EncodeDocuments tokenizes each document with enc.
func EncodeDocuments(enc TextEncoder, docs []string) [][]int32 {
	out := make([][]int32, len(docs))
	for i, d := range docs {
		ids := enc.Encode(d)
		out[i] = make([]int32, len(ids))
		for j, v := range ids {
			out[i][j] = int32(v)
		}
	}
	return out
}

// PackBlocks packs tokenized documents into MLM blocks of blockLen ids
// (RoBERTa's FULL-SENTENCES packing): the documents are concatenated in
// order, each followed by eos, and the stream is cut into pieces of
// blockLen-2 ids, each block being bos + piece + eos. A block may hold the
// end of one document and the start of the next. Every block has exactly
// blockLen ids except possibly the last, which is shorter (the batcher pads
// it). Empty documents are skipped. Blocks carry Label NoLabel.
func PackBlocks(docs [][]int32, blockLen int, bos, eos int32) ([]Item, error) {
	if blockLen < 3 {
		return nil, fmt.Errorf("data: block length %d: need at least 3 (<s>, one token, </s>)", blockLen)
	}
	body := blockLen - 2
	var items []Item
	cur := make([]int32, 0, blockLen)
	flush := func() {
		blk := make([]int32, 0, len(cur)+2)
		blk = append(blk, bos)
		blk = append(blk, cur...)
		blk = append(blk, eos)
		items = append(items, Item{IDs: blk, Label: NoLabel})
		cur = cur[:0]
	}
	push := func(id int32) {
		cur = append(cur, id)
		if len(cur) == body {
			flush()
		}
	}
	for _, d := range docs {
		if len(d) == 0 {
			continue
		}
		for _, id := range d {
			push(id)
		}
		push(eos)
	}
	if len(cur) > 0 {
		flush()
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("data: no tokens to pack")
	}
	return items, nil
}

// HoldOut picks round(n*frac) of n documents, at random by seed, as a
// held-out set (for perplexity), and returns the indices of the others and
// of the held-out ones, each ascending. Holding out whole documents keeps
// every held-out token unseen in training.
func HoldOut(n int, frac float64, seed uint64) (train, held []int, err error) {
	if n < 0 || !(frac >= 0 && frac <= 1) {
		return nil, nil, fmt.Errorf("data: hold out %v of %d documents: need 0 <= frac <= 1", frac, n)
	}
	k := int(math.Round(float64(n) * frac))
	p := newRNG(seed, 0x401d).perm(n)
	held = slices.Clone(p[:k])
	train = slices.Clone(p[k:])
	slices.Sort(held)
	slices.Sort(train)
	return train, held, nil
}

// SplitDocuments is HoldOut on a list of documents.
func SplitDocuments(docs []string, frac float64, seed uint64) (train, held []string, err error) {
	ti, hi, err := HoldOut(len(docs), frac, seed)
	if err != nil {
		return nil, nil, err
	}
	for _, i := range ti {
		train = append(train, docs[i])
	}
	for _, i := range hi {
		held = append(held, docs[i])
	}
	return train, held, nil
}
