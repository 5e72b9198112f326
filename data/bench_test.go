package data

import "testing"

func BenchmarkMask(b *testing.B) {
	m, err := NewMasker(MaskConfig{VocabSize: tVocab, MaskID: tMASK, Special: []int32{tBOS, tPAD, tEOS, tUNK}, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	src := mlmBatch(32, 128, 5)
	bt := &Batch{IDs: make([]int32, len(src.IDs)), Mask: src.Mask, B: src.B, S: src.S}
	b.SetBytes(int64(4 * len(src.IDs)))
	for i := 0; b.Loop(); i++ {
		copy(bt.IDs, src.IDs)
		if err := m.Mask(bt, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(src.IDs))/b.Elapsed().Seconds()/1e6, "Mtokens/s")
}

func BenchmarkBatcher(b *testing.B) {
	items := testItems(4096)
	bt, err := NewBatcher(items, BatchConfig{BatchSize: 32, Shuffle: true, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	var dst Batch
	for b.Loop() {
		bt.Next(&dst)
	}
}
