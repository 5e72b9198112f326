package train

import (
	"context"
	"fmt"
	"math"
	"path/filepath"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

// HeldOutSeed picks the held-out documents of pre-training; it does not
// depend on the run's seed, so perplexities of different runs on the same
// documents are comparable.
const HeldOutSeed = 0x1D1E

// MaxEvalBlocks caps the held-out blocks scored at each evaluation.
const MaxEvalBlocks = 512

// Pretrain trains m (which needs the MLM head) with RoBERTa's masked
// language modelling on docs: cfg.HeldOutFrac of the documents are held out
// (chosen by HeldOutSeed), the rest are tokenized, packed into blocks of
// cfg.MaxLen tokens and masked afresh at every step (15%: 80% <mask>, 10%
// random, 10% kept). Every parameter is trained with AdamW. The dev score is
// the held-out perplexity (masks fixed across evaluations, lower is better).
// Outputs, checkpoints and resume work as in FineTune; Out/final and
// Out/best are HF model directories with the tokenizer.
func Pretrain(ctx context.Context, m *transformer.Model, tok *tokenizer.Tokenizer, docs []string, cfg Config) (Result, error) {
	nan := math.NaN()
	res := Result{DevScore: nan, TestScore: nan, TrainScore: nan, Method: MethodMLM, Metric: "perplexity"}
	cfg.Method = MethodMLM
	cfg, err := cfg.Resolve()
	if err != nil {
		return res, err
	}
	if m.Heads&transformer.HeadMLM == 0 {
		return res, fmt.Errorf("train: Pretrain needs a model with the MLM head (heads %v)", m.Heads)
	}
	if tok.VocabSize() > m.Config.VocabSize {
		return res, fmt.Errorf("train: the tokenizer has %d ids but the model's vocabulary has %d", tok.VocabSize(), m.Config.VocabSize)
	}
	if cfg.MaxLen > m.Config.MaxSeqLen() {
		return res, fmt.Errorf("train: max_len %d is longer than the model's %d positions", cfg.MaxLen, m.Config.MaxSeqLen())
	}
	sp := tok.Specials()
	if sp.BOS < 0 || sp.EOS < 0 || sp.PAD < 0 || sp.MASK < 0 {
		return res, fmt.Errorf("train: the tokenizer lacks one of <s>, </s>, <pad>, <mask>")
	}
	trainDocs, held, err := data.SplitDocuments(docs, cfg.HeldOutFrac, HeldOutSeed)
	if err != nil {
		return res, fmt.Errorf("train: %w", err)
	}
	pack := func(d []string) ([]data.Item, error) {
		return data.PackBlocks(data.EncodeDocuments(tok, d), cfg.MaxLen, int32(sp.BOS), int32(sp.EOS))
	}
	trainItems, err := pack(trainDocs)
	if err != nil {
		return res, fmt.Errorf("train: %w", err)
	}
	heldItems, err := pack(held)
	if err != nil {
		return res, fmt.Errorf("train: %w", err)
	}
	if len(heldItems) > MaxEvalBlocks {
		heldItems = heldItems[:MaxEvalBlocks]
	}
	special := []int32{int32(sp.BOS), int32(sp.EOS), int32(sp.PAD), int32(sp.MASK)}
	if sp.UNK >= 0 {
		special = append(special, int32(sp.UNK))
	}
	masker, err := data.NewMasker(data.MaskConfig{VocabSize: tok.VocabSize(), MaskID: int32(sp.MASK), Special: special, Prob: cfg.MaskProb, Seed: mix(cfg.Seed, 0x3A5C)})
	if err != nil {
		return res, fmt.Errorf("train: %w", err)
	}
	evalMasker, err := data.NewMasker(data.MaskConfig{VocabSize: tok.VocabSize(), MaskID: int32(sp.MASK), Special: special, Prob: cfg.MaskProb, Seed: HeldOutSeed})
	if err != nil {
		return res, fmt.Errorf("train: %w", err)
	}
	pad := int32(sp.PAD)
	bt, err := data.NewBatcher(trainItems, data.BatchConfig{BatchSize: cfg.BatchSize, PadID: pad, Shuffle: true, Seed: mix(cfg.Seed, 0xB7)})
	if err != nil {
		return res, err
	}
	evalBt, err := data.NewBatcher(heldItems, data.BatchConfig{BatchSize: cfg.EvalBatch, PadID: pad})
	if err != nil {
		return res, err
	}
	restore := setDropout(m, cfg)
	defer restore()
	r := &run{cfg: cfg, model: m, train: bt}
	r.res = res
	r.res.Out = cfg.Out
	r.total = totalSteps(cfg, bt.NumBatches())
	n := int64(m.NumParams())
	r.res.Counts.Trainable, r.res.Counts.Wrapped, r.res.Counts.All = int(n), n, n
	r.res.Trainable, r.res.AllParams = int(n), n
	for _, p := range m.Parameters() {
		p.SetRequiresGrad(true)
	}
	if err := r.setup(m.Parameters(), true); err != nil {
		return r.res, err
	}
	defer r.opt.Release()
	r.saveOut = func(dir string) error {
		if err := m.Save(dir); err != nil {
			return err
		}
		return tok.Save(dir)
	}
	r.loss = func(b *data.Batch, k uint64) (*autograd.Tensor, error) {
		if err := masker.Mask(b, k); err != nil {
			return nil, err
		}
		h, err := m.Encode(transformer.Batch{B: b.B, T: b.S, InputIDs: b.IDs, Attention: b.Mask})
		if err != nil {
			return nil, err
		}
		return m.MLMLoss(h, b.Labels)
	}
	var eb data.Batch
	r.evaluate = func() (float64, data.Scores, error) {
		sum, count := 0.0, 0
		var sc autograd.Scope
		for i := 0; i < evalBt.NumBatches(); i++ {
			if _, err := evalBt.Batch(0, i, &eb); err != nil {
				return 0, nil, err
			}
			if err := evalMasker.Mask(&eb, uint64(i)); err != nil {
				return 0, nil, err
			}
			c := 0
			for _, l := range eb.Labels {
				if l != data.IgnoreIndex {
					c++
				}
			}
			if c == 0 {
				continue
			}
			sc.Begin()
			var lv float32
			autograd.NoGrad(func() {
				var h, loss *autograd.Tensor
				if h, err = m.Encode(transformer.Batch{B: eb.B, T: eb.S, InputIDs: eb.IDs, Attention: eb.Mask}); err == nil {
					if loss, err = m.MLMLoss(h, eb.Labels); err == nil {
						lv = loss.Item()
					}
				}
			})
			sc.End()
			if err != nil {
				return 0, nil, err
			}
			sum += float64(lv) * float64(c)
			count += c
		}
		if count == 0 {
			return 0, nil, fmt.Errorf("no held-out token was masked")
		}
		ppl := math.Exp(sum / float64(count))
		return ppl, data.Scores{"perplexity": ppl, "loss": sum / float64(count)}, nil
	}
	if err := r.open(); err != nil {
		return r.res, err
	}
	defer r.metrics.close()
	r.prog.printf("mlm: %d train blocks, %d held-out blocks of %d tokens; %s\n", len(trainItems), len(heldItems), cfg.MaxLen, r.res.Counts)
	err = r.loop(ctx)
	r.finish()
	if err != nil {
		return r.res, err
	}
	if cfg.Out != "" {
		if err := r.saveOut(filepath.Join(cfg.Out, "final")); err != nil {
			return r.res, err
		}
	}
	r.writeResult()
	r.prog.printf("mlm: held-out perplexity %.3f (best, step %d), %d steps, %d tokens, %.1fs\n", r.res.DevScore, r.res.BestStep, r.res.Steps, r.res.Tokens, r.res.Seconds)
	return r.res, nil
}
