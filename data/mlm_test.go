package data

import (
	"math"
	"slices"
	"testing"
)

const (
	tBOS, tPAD, tEOS, tUNK = 0, 1, 2, 3
	tMASK                  = 999
	tVocab                 = 1000
)

func mlmBatch(rows, s int, seed uint64) *Batch {
	r := newRNG(seed)
	var items []Item
	for range rows {
		n := 3 + r.intn(s-2)
		ids := make([]int32, n)
		ids[0], ids[n-1] = tBOS, tEOS
		for j := 1; j < n-1; j++ {
			ids[j] = int32(4 + r.intn(tVocab-5))
			if r.intn(50) == 0 {
				ids[j] = tUNK
			}
		}
		items = append(items, Item{IDs: ids})
	}
	rowsIdx := make([]int, rows)
	for i := range rowsIdx {
		rowsIdx[i] = i
	}
	b := new(Batch)
	PadInto(b, items, rowsIdx, tPAD, 0)
	return b
}

func newTestMasker(t *testing.T, seed uint64) *Masker {
	m, err := NewMasker(MaskConfig{VocabSize: tVocab, MaskID: tMASK, Special: []int32{tBOS, tPAD, tEOS, tUNK}, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMaskStatistics(t *testing.T) {
	m := newTestMasker(t, 1)
	var eligible, selected, masked, random, kept int
	for step := range uint64(40) {
		b := mlmBatch(32, 128, step+100)
		orig := slices.Clone(b.IDs)
		if err := m.Mask(b, step); err != nil {
			t.Fatal(err)
		}
		for i, id := range orig {
			special := id == tBOS || id == tPAD || id == tEOS || id == tUNK || b.Mask[i] == 0
			if !special {
				eligible++
			}
			if b.Labels[i] == IgnoreIndex {
				if b.IDs[i] != id {
					t.Fatalf("unselected position %d changed %d -> %d", i, id, b.IDs[i])
				}
				continue
			}
			if special {
				t.Fatalf("special or padding id %d at %d selected", id, i)
			}
			if b.Labels[i] != id {
				t.Fatalf("label %d, original %d", b.Labels[i], id)
			}
			selected++
			switch nw := b.IDs[i]; {
			case nw == tMASK:
				masked++
			case nw == id:
				kept++
			default:
				random++
				if nw == tBOS || nw == tPAD || nw == tEOS || nw == tUNK || nw < 0 || nw >= tVocab {
					t.Fatalf("random replacement %d is special or outside the vocabulary", nw)
				}
			}
		}
	}
	// Within 5 standard deviations of the binomial expectations (a random
	// replacement equals the original with probability ~1/995, counted as
	// kept).
	check := func(what string, k, n int, p float64) {
		sd := math.Sqrt(float64(n) * p * (1 - p))
		if math.Abs(float64(k)-float64(n)*p) > 5*sd {
			t.Errorf("%s: %d of %d, expected %.0f +- %.0f", what, k, n, float64(n)*p, sd)
		}
	}
	check("selected", selected, eligible, 0.15)
	check("masked", masked, selected, 0.8)
	check("random", random, selected, 0.1*994/995)
	check("kept", kept, selected, 0.1+0.1/995)
	if eligible < 50000 {
		t.Errorf("only %d eligible tokens", eligible)
	}
}

func TestMaskDeterminism(t *testing.T) {
	m := newTestMasker(t, 7)
	a, b := mlmBatch(8, 64, 1), mlmBatch(8, 64, 1)
	if err := m.Mask(a, 42); err != nil {
		t.Fatal(err)
	}
	// A fresh masker with the same seed and step (a resumed run) gives the
	// same masks.
	if err := newTestMasker(t, 7).Mask(b, 42); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.IDs, b.IDs) || !slices.Equal(a.Labels, b.Labels) {
		t.Error("same seed and step, different masks")
	}
	c := mlmBatch(8, 64, 1)
	_ = m.Mask(c, 43)
	d := mlmBatch(8, 64, 1)
	_ = newTestMasker(t, 8).Mask(d, 42)
	if slices.Equal(a.Labels, c.Labels) || slices.Equal(a.Labels, d.Labels) {
		t.Error("another step or seed gives the same masks")
	}
	// A row's masks do not depend on how long the batch is padded.
	e := mlmBatch(8, 64, 1)
	items := make([]Item, e.B)
	for r := range e.B {
		n := 0
		for _, v := range e.Mask[r*e.S : (r+1)*e.S] {
			n += int(v)
		}
		items[r].IDs = slices.Clone(e.IDs[r*e.S : r*e.S+n])
	}
	PadInto(e, items, []int{0, 1, 2, 3, 4, 5, 6, 7}, tPAD, 128)
	_ = m.Mask(e, 42)
	for r := range e.B {
		if !slices.Equal(e.Labels[r*e.S:r*e.S+a.S], a.Labels[r*a.S:(r+1)*a.S]) {
			t.Fatalf("row %d masked differently when padded to %d", r, e.S)
		}
	}
}

func TestMaskerErrors(t *testing.T) {
	for _, c := range []MaskConfig{
		{VocabSize: 10, MaskID: 10},
		{VocabSize: 10, MaskID: 3, Prob: 1.5},
		{VocabSize: 10, MaskID: 3, MaskFrac: 0.9, RandomFrac: 0.2},
		{VocabSize: 10, MaskID: 3, Special: []int32{11}},
		{VocabSize: 2, MaskID: 0, Special: []int32{1}},
	} {
		if _, err := NewMasker(c); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	m := newTestMasker(t, 1)
	b := &Batch{IDs: []int32{0, 5000, 2}, Mask: []int32{1, 1, 1}, B: 1, S: 3}
	if err := m.Mask(b, 0); err == nil {
		t.Error("id outside the vocabulary accepted")
	}
}

func TestPackBlocks(t *testing.T) {
	docs := [][]int32{{10, 11, 12}, {}, {13}, {14, 15, 16, 17, 18, 19, 20}}
	blocks, err := PackBlocks(docs, 6, tBOS, tEOS)
	if err != nil {
		t.Fatal(err)
	}
	var stream []int32
	for i, b := range blocks {
		if b.IDs[0] != tBOS || b.IDs[len(b.IDs)-1] != tEOS || b.Label != NoLabel {
			t.Errorf("block %d = %v", i, b.IDs)
		}
		if i < len(blocks)-1 && len(b.IDs) != 6 {
			t.Errorf("block %d has %d ids", i, len(b.IDs))
		}
		stream = append(stream, b.IDs[1:len(b.IDs)-1]...)
	}
	want := []int32{10, 11, 12, tEOS, 13, tEOS, 14, 15, 16, 17, 18, 19, 20, tEOS}
	if !slices.Equal(stream, want) || len(blocks) != 4 || len(blocks[3].IDs) != 4 {
		t.Errorf("stream %v (%d blocks), want %v", stream, len(blocks), want)
	}
	if _, err := PackBlocks(docs, 2, 0, 2); err == nil {
		t.Error("block length 2 accepted")
	}
	if _, err := PackBlocks([][]int32{{}}, 8, 0, 2); err == nil {
		t.Error("no tokens accepted")
	}
}

func TestHoldOut(t *testing.T) {
	tr, he, err := HoldOut(1000, 0.05, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(he) != 50 || len(tr) != 950 || !slices.IsSorted(tr) || !slices.IsSorted(he) {
		t.Fatalf("sizes %d %d", len(tr), len(he))
	}
	all := append(slices.Clone(tr), he...)
	slices.Sort(all)
	for i, v := range all {
		if v != i {
			t.Fatal("not a partition")
		}
	}
	tr2, he2, _ := HoldOut(1000, 0.05, 3)
	_, he3, _ := HoldOut(1000, 0.05, 4)
	if !slices.Equal(tr, tr2) || !slices.Equal(he, he2) || slices.Equal(he, he3) {
		t.Error("HoldOut is not a function of the seed")
	}
	trd, hed, _ := SplitDocuments([]string{"a", "b", "c", "d"}, 0.5, 1)
	if len(trd) != 2 || len(hed) != 2 {
		t.Errorf("SplitDocuments %v %v", trd, hed)
	}
	if _, _, err := HoldOut(10, 1.5, 1); err == nil {
		t.Error("fraction 1.5 accepted")
	}
}
