package tokenizer

import (
	"container/heap"
	"sync"
)

// merge is what a pair of adjacent symbols turns into: the id of the merged
// token and the rank (line number among the merges) that orders merges.
type merge struct {
	rank int32
	id   int32
}

func pairKey(a, b int32) uint64 { return uint64(uint32(a))<<32 | uint64(uint32(b)) }

// naiveMax is the longest word (in symbols) merged by the quadratic loop;
// longer words use the heap.
const naiveMax = 48

// bpe appends to dst the ids of word (raw bytes) after byte-level BPE: the
// word starts as one symbol per byte, then the adjacent pair with the lowest
// merge rank is merged (the leftmost one on a tie), until no adjacent pair has
// a merge. This is GPT-2's algorithm, which merges every occurrence of the
// best pair left to right before looking for the next best.
func (t *Tokenizer) bpe(dst []int32, word string) []int32 {
	start := len(dst)
	for i := 0; i < len(word); i++ {
		id := t.byteIDs[word[i]]
		if id < 0 {
			if t.specials.UNK < 0 {
				continue // no symbol for this byte and no <unk>: dropped, like HF
			}
			id = int32(t.specials.UNK)
		}
		dst = append(dst, id)
	}
	syms := dst[start:]
	if len(syms) < 2 {
		return dst
	}
	if len(syms) <= naiveMax {
		return dst[:start+t.mergeNaive(syms)]
	}
	return dst[:start+t.mergeHeap(syms)]
}

// mergeNaive merges syms in place and returns the new length.
func (t *Tokenizer) mergeNaive(syms []int32) int {
	n := len(syms)
	for n > 1 {
		best := merge{rank: -1}
		at := -1
		for i := 0; i+1 < n; i++ {
			m, ok := t.merges[pairKey(syms[i], syms[i+1])]
			if ok && (at < 0 || m.rank < best.rank) {
				best, at = m, i
			}
		}
		if at < 0 {
			break
		}
		syms[at] = best.id
		copy(syms[at+1:], syms[at+2:n])
		n--
	}
	return n
}

type heapSym struct {
	id         int32
	prev, next int32 // -1 at the ends
}

type heapEntry struct {
	rank        int32
	pos         int32 // left symbol
	left, right int32 // ids the pair had when pushed
	id          int32 // merged id
}

type mergeHeap []heapEntry

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	if h[i].rank != h[j].rank {
		return h[i].rank < h[j].rank
	}
	return h[i].pos < h[j].pos
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(heapEntry)) }
func (h *mergeHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

type heapScratch struct {
	syms []heapSym
	h    mergeHeap
}

var heapPool = sync.Pool{New: func() any { return new(heapScratch) }}

// mergeHeap is mergeNaive in O(n log n): symbols in a linked list, candidate
// pairs in a heap ordered by (rank, position). An entry is stale when its left
// symbol is gone or either symbol's id changed; ids only ever grow into longer
// tokens, so an unchanged pair of ids means the same two symbols.
func (t *Tokenizer) mergeHeap(syms []int32) int {
	sc := heapPool.Get().(*heapScratch)
	defer heapPool.Put(sc)
	s := sc.syms[:0]
	for i, id := range syms {
		s = append(s, heapSym{id: id, prev: int32(i - 1), next: int32(i + 1)})
	}
	s[len(s)-1].next = -1
	h := sc.h[:0]
	push := func(pos int32) {
		nx := s[pos].next
		if nx < 0 {
			return
		}
		if m, ok := t.merges[pairKey(s[pos].id, s[nx].id)]; ok {
			heap.Push(&h, heapEntry{rank: m.rank, pos: pos, left: s[pos].id, right: s[nx].id, id: m.id})
		}
	}
	for i := range s {
		push(int32(i))
	}
	for h.Len() > 0 {
		e := heap.Pop(&h).(heapEntry)
		l := &s[e.pos]
		if l.id != e.left || l.next < 0 || s[l.next].id != e.right {
			continue
		}
		r := l.next
		l.id = e.id
		l.next = s[r].next
		if l.next >= 0 {
			s[l.next].prev = e.pos
		}
		s[r].id = -1
		if l.prev >= 0 {
			push(l.prev)
		}
		push(e.pos)
	}
	n := 0
	for i := int32(0); i >= 0; i = s[i].next {
		syms[n] = s[i].id
		n++
	}
	sc.syms, sc.h = s, h
	return n
}
