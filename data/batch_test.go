package data

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestPadInto(t *testing.T) {
	items := []Item{{IDs: []int32{0, 5, 2}, Label: 1}, {IDs: []int32{0, 7, 8, 9, 2}, Label: 0, Score: 2.5}, {IDs: []int32{0, 2}}}
	var b Batch
	PadInto(&b, items, []int{0, 1, 2}, 1, 0)
	wantIDs := []int32{0, 5, 2, 1, 1, 0, 7, 8, 9, 2, 0, 2, 1, 1, 1}
	wantMask := []int32{1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}
	if b.B != 3 || b.S != 5 || !slices.Equal(b.IDs, wantIDs) || !slices.Equal(b.Mask, wantMask) ||
		!slices.Equal(b.Labels, []int32{1, 0, 0}) || !slices.Equal(b.Scores, []float32{0, 2.5, 0}) {
		t.Errorf("batch %+v", b)
	}
	// Reuse with a smaller batch and rounding to a multiple of 4.
	PadInto(&b, items, []int{2, 0}, 9, 4)
	if b.B != 2 || b.S != 4 || !slices.Equal(b.IDs, []int32{0, 2, 9, 9, 0, 5, 2, 9}) || !slices.Equal(b.Mask, []int32{1, 1, 0, 0, 1, 1, 1, 0}) ||
		!slices.Equal(b.Rows, []int{2, 0}) {
		t.Errorf("reused batch %+v", b)
	}
}

func testItems(n int) []Item {
	items := make([]Item, n)
	for i := range items {
		ids := make([]int32, 2+i%5)
		for j := range ids {
			ids[j] = int32(i)
		}
		items[i] = Item{IDs: ids, Label: int32(i)}
	}
	return items
}

func TestBatcher(t *testing.T) {
	items := testItems(23)
	b, err := NewBatcher(items, BatchConfig{BatchSize: 5, PadID: -1, Shuffle: true, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	if b.NumBatches() != 5 {
		t.Fatalf("%d batches", b.NumBatches())
	}
	var orders [][]int
	for epoch := range 3 {
		var seen []int
		for i := range b.NumBatches() {
			bt, err := b.Batch(epoch, i, nil)
			if err != nil {
				t.Fatal(err)
			}
			for r := range bt.B {
				// Row r holds item Rows[r]: its label and ids say which.
				if it := bt.Rows[r]; bt.Labels[r] != int32(it) || bt.IDs[r*bt.S] != int32(it) {
					t.Fatalf("row %d of batch %d is not item %d", r, i, it)
				}
			}
			seen = append(seen, bt.Rows...)
		}
		sorted := slices.Clone(seen)
		slices.Sort(sorted)
		for i, v := range sorted {
			if v != i {
				t.Fatalf("epoch %d does not visit every item once: %v", epoch, seen)
			}
		}
		orders = append(orders, seen)
	}
	if reflect.DeepEqual(orders[0], orders[1]) || reflect.DeepEqual(orders[1], orders[2]) {
		t.Error("epochs share an order")
	}
	// Next walks the same sequence, and Seek resumes it.
	b2, _ := NewBatcher(items, BatchConfig{BatchSize: 5, PadID: -1, Shuffle: true, Seed: 11})
	var walked []int
	for range 2*b.NumBatches() + 2 {
		bt, _, _ := b2.Next(nil)
		walked = append(walked, bt.Rows...)
	}
	if !slices.Equal(walked[:23], orders[0]) || !slices.Equal(walked[23:46], orders[1]) {
		t.Error("Next differs from Batch")
	}
	if e, i := b2.Position(); e != 2 || i != 2 {
		t.Errorf("position %d,%d", e, i)
	}
	b3, _ := NewBatcher(items, BatchConfig{BatchSize: 5, PadID: -1, Shuffle: true, Seed: 11})
	if err := b3.Seek(1, 3); err != nil {
		t.Fatal(err)
	}
	bt, e, i := b3.Next(nil)
	if e != 1 || i != 3 || !slices.Equal(bt.Rows, orders[1][15:20]) {
		t.Errorf("resumed batch %d,%d rows %v", e, i, bt.Rows)
	}
	if err := b3.Seek(0, 5); err == nil {
		t.Error("seek past the epoch accepted")
	}
	// No shuffle: items in order; DropLast drops the partial batch.
	b4, _ := NewBatcher(items, BatchConfig{BatchSize: 5, DropLast: true})
	if b4.NumBatches() != 4 {
		t.Errorf("DropLast: %d batches", b4.NumBatches())
	}
	bt, _ = b4.Batch(7, 3, nil)
	if !slices.Equal(bt.Rows, []int{15, 16, 17, 18, 19}) {
		t.Errorf("unshuffled rows %v", bt.Rows)
	}
	if _, err := b4.Batch(0, 4, nil); err == nil {
		t.Error("batch 4 of 4 accepted")
	}
	for _, c := range []struct {
		items []Item
		cfg   BatchConfig
		want  string
	}{
		{items, BatchConfig{}, "batch size 0"},
		{nil, BatchConfig{BatchSize: 2}, "no items"},
		{[]Item{{}}, BatchConfig{BatchSize: 2}, "item 0 is empty"},
		{items, BatchConfig{BatchSize: 2, MaxLen: 3}, "item 2 has 4 ids, more than MaxLen 3"},
		{items, BatchConfig{BatchSize: 30, DropLast: true}, "leave no batch"},
	} {
		if _, err := NewBatcher(c.items, c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.cfg, err, c.want)
		}
	}
}

type fakeEncoder struct{}

// EncodeText spells each word as its length, with RoBERTa-style specials
// 0 ... 2 (2 2 ... 2 for pairs).
func (fakeEncoder) EncodeText(a, b string, maxLen int) ([]int, error) {
	if strings.Contains(a, "!") {
		return nil, fmt.Errorf("cannot encode %q", a)
	}
	ids := []int{0}
	for _, w := range strings.Fields(a) {
		ids = append(ids, len(w)+10)
	}
	ids = append(ids, 2)
	if b != "" {
		ids = append(ids, 2)
		for _, w := range strings.Fields(b) {
			ids = append(ids, len(w)+10)
		}
		ids = append(ids, 2)
	}
	return ids[:min(len(ids), maxLen)], nil
}

func TestEncodeExamples(t *testing.T) {
	ex := []Example{{Text: "a bb", Label: 1}, {Text: "ccc", TextB: "d", Label: 0, Score: 0.5}}
	items, err := EncodeExamples(fakeEncoder{}, ex, 16)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(items[0].IDs, []int32{0, 11, 12, 2}) || items[0].Label != 1 ||
		!slices.Equal(items[1].IDs, []int32{0, 13, 2, 2, 11, 2}) || items[1].Score != 0.5 {
		t.Errorf("items %+v", items)
	}
	if _, err := EncodeExamples(fakeEncoder{}, []Example{{ID: "x:3", Text: "no!"}}, 16); err == nil || !strings.Contains(err.Error(), "x:3") {
		t.Errorf("encoder error: %v", err)
	}
	f := EncoderFunc(func(a, b string, maxLen int) ([]int, error) { return make([]int, maxLen+1), nil })
	if _, err := EncodeExamples(f, ex, 8); err == nil || !strings.Contains(err.Error(), "9 ids") {
		t.Errorf("too long: %v", err)
	}
}
