package train

import (
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/optim"
	"github.com/idim-go/idim/transformer"
)

// BenchmarkPretrainStep measures one MLM pre-training update (forward,
// backward, clipping, AdamW) of idim's model sizes on a batch of 32 blocks
// of 128 tokens over an 8192-token vocabulary, as `idim pretrain` runs it,
// and reports tokens/s.
func BenchmarkPretrainStep(b *testing.B) {
	for _, s := range []struct {
		name                       string
		layers, hidden, heads, ffn int
	}{{"tiny", 2, 128, 4, 512}, {"small", 4, 256, 4, 1024}, {"base", 6, 384, 6, 1536}} {
		b.Run(s.name, func(b *testing.B) {
			const B, T, V = 32, 128, 8192
			c := transformer.DefaultConfig()
			c.VocabSize, c.MaxPositionEmbeddings = V, T+2
			c.NumHiddenLayers, c.HiddenSize, c.NumAttentionHeads, c.IntermediateSize = s.layers, s.hidden, s.heads, s.ffn
			m, err := transformer.New(c, 1, transformer.WithHeads(transformer.HeadMLM))
			if err != nil {
				b.Fatal(err)
			}
			m.SetTrain(true)
			items := make([]data.Item, B)
			for i := range items {
				items[i].IDs = make([]int32, T)
				for j := range items[i].IDs {
					items[i].IDs[j] = int32(5 + mix(uint64(i), uint64(j))%(V-10))
				}
			}
			bt, _ := data.NewBatcher(items, data.BatchConfig{BatchSize: B, PadID: 1})
			masker, _ := data.NewMasker(data.MaskConfig{VocabSize: V, MaskID: V - 1, Special: []int32{0, 1, 2, 3, V - 1}, Seed: 1})
			opt, err := optim.NewAdamW(optim.DecayGroups(m.Parameters(), 0.01, optim.DefaultNoDecay), optim.AdamConfig{LR: 1e-4})
			if err != nil {
				b.Fatal(err)
			}
			var batch data.Batch
			var sc autograd.Scope
			step := func(i int) {
				bt.Batch(0, 0, &batch)
				masker.Mask(&batch, uint64(i))
				sc.Begin()
				h, err := m.Encode(transformer.Batch{B: batch.B, T: batch.S, InputIDs: batch.IDs, Attention: batch.Mask})
				if err != nil {
					b.Fatal(err)
				}
				loss, err := m.MLMLoss(h, batch.Labels)
				if err != nil {
					b.Fatal(err)
				}
				loss.Backward()
				sc.End()
				opt.ClipGradNorm(1)
				opt.Step()
				opt.ZeroGrad()
			}
			step(0) // warm the buffer pool
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				step(i + 1)
			}
			b.ReportMetric(float64(B*T*b.N)/b.Elapsed().Seconds(), "tokens/s")
			b.ReportMetric(float64(m.NumParams()), "params")
		})
	}
}
