package data

import (
	"errors"
	"fmt"
)

// Encoder turns a text, or a text pair, into token ids with the model's
// special tokens (for RoBERTa "<s> a </s>" or "<s> a </s></s> b </s>"),
// truncated to at most maxLen ids; b is "" for single-text tasks. data does
// not import the tokenizer: wrap it in an EncoderFunc, e.g.
//
//	enc := data.EncoderFunc(func(a, b string, maxLen int) ([]int, error) {
//		opt := tokenizer.Options{MaxLength: maxLen}
//		if b == "" {
//			e, err := tok.EncodeSingle(a, opt)
//			return e.IDs, err
//		}
//		e, err := tok.EncodePair(a, b, opt)
//		return e.IDs, err
//	})
type Encoder interface {
	EncodeText(a, b string, maxLen int) ([]int, error)
}

// EncoderFunc adapts a function to Encoder.
type EncoderFunc func(a, b string, maxLen int) ([]int, error)

// EncodeText calls f.
func (f EncoderFunc) EncodeText(a, b string, maxLen int) ([]int, error) { return f(a, b, maxLen) }

// Item is one tokenized example.
type Item struct {
	IDs   []int32
	Label int32   // class id, or NoLabel
	Score float32 // regression target
}

// EncodeExamples tokenizes examples with enc.
func EncodeExamples(enc Encoder, ex []Example, maxLen int) ([]Item, error) {
	if maxLen < 2 {
		return nil, fmt.Errorf("data: maxLen %d: need at least 2", maxLen)
	}
	items := make([]Item, len(ex))
	for i, e := range ex {
		ids, err := enc.EncodeText(e.Text, e.TextB, maxLen)
		if err != nil {
			return nil, fmt.Errorf("data: example %d (%s): %w", i, e.ID, err)
		}
		if len(ids) == 0 || len(ids) > maxLen {
			return nil, fmt.Errorf("data: example %d (%s): encoder gave %d ids, want 1..%d", i, e.ID, len(ids), maxLen)
		}
		it := Item{IDs: make([]int32, len(ids)), Label: int32(e.Label), Score: e.Score}
		for j, v := range ids {
			it.IDs[j] = int32(v)
		}
		items[i] = it
	}
	return items, nil
}

// Batch is B sequences padded to a common length S, row-major.
type Batch struct {
	// IDs holds B*S token ids, padding filled with the pad id.
	IDs []int32
	// Mask is B*S: 1 for a real token, 0 for padding.
	Mask []int32
	// Labels is B class ids for classification, or B*S targets after
	// MLM masking (IgnoreIndex where a position is not scored).
	Labels []int32
	// Scores is B regression targets.
	Scores []float32
	// Rows[b] is the index, in the batcher's items, of row b.
	Rows []int
	B, S int
}

// BatchConfig configures a Batcher.
type BatchConfig struct {
	BatchSize int
	PadID     int32
	// Shuffle reorders the items every epoch by a permutation that depends
	// only on (Seed, epoch); without it items come in order.
	Shuffle bool
	Seed    uint64
	// DropLast drops the final batch of an epoch when it is smaller than
	// BatchSize (training); evaluation keeps it.
	DropLast bool
	// PadMultiple rounds S up to a multiple of it (0 or 1: no rounding).
	PadMultiple int
	// MaxLen, when positive, is an upper bound on S; longer items are an
	// error at NewBatcher.
	MaxLen int
}

// Batcher cuts items into padded batches. Batch(epoch, i) is a pure function
// of (items, config, epoch, i), so training can resume from any (epoch,
// position); Next walks the same sequence.
type Batcher struct {
	items     []Item
	cfg       BatchConfig
	permEpoch int
	perm      []int
	epoch, i  int // Next's position
}

// NewBatcher checks the items and the configuration.
func NewBatcher(items []Item, cfg BatchConfig) (*Batcher, error) {
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("data: batch size %d: must be positive", cfg.BatchSize)
	}
	if len(items) == 0 {
		return nil, errors.New("data: no items to batch")
	}
	if cfg.DropLast && len(items) < cfg.BatchSize {
		return nil, fmt.Errorf("data: %d items and DropLast with batch size %d leave no batch", len(items), cfg.BatchSize)
	}
	for i, it := range items {
		if len(it.IDs) == 0 {
			return nil, fmt.Errorf("data: item %d is empty", i)
		}
		if cfg.MaxLen > 0 && len(it.IDs) > cfg.MaxLen {
			return nil, fmt.Errorf("data: item %d has %d ids, more than MaxLen %d", i, len(it.IDs), cfg.MaxLen)
		}
	}
	return &Batcher{items: items, cfg: cfg, permEpoch: -1}, nil
}

// NumBatches is the number of batches in one epoch.
func (b *Batcher) NumBatches() int {
	n := len(b.items) / b.cfg.BatchSize
	if !b.cfg.DropLast && len(b.items)%b.cfg.BatchSize != 0 {
		n++
	}
	return n
}

// Order returns the order in which epoch visits the items (owned by the
// Batcher: do not modify it).
func (b *Batcher) Order(epoch int) []int {
	switch {
	case b.perm != nil && (b.permEpoch == epoch || !b.cfg.Shuffle):
	case b.cfg.Shuffle:
		b.perm = newRNG(b.cfg.Seed, 0xe90c, uint64(epoch)).perm(len(b.items))
	default:
		b.perm = make([]int, len(b.items))
		for i := range b.perm {
			b.perm[i] = i
		}
	}
	b.permEpoch = epoch
	return b.perm
}

// Batch fills dst (reusing its slices; nil allocates) with batch i of epoch
// and returns it.
func (b *Batcher) Batch(epoch, i int, dst *Batch) (*Batch, error) {
	if i < 0 || i >= b.NumBatches() || epoch < 0 {
		return nil, fmt.Errorf("data: batch %d of epoch %d: an epoch has batches 0..%d", i, epoch, b.NumBatches()-1)
	}
	order := b.Order(epoch)
	lo := i * b.cfg.BatchSize
	hi := min(lo+b.cfg.BatchSize, len(order))
	rows := order[lo:hi]
	if dst == nil {
		dst = new(Batch)
	}
	PadInto(dst, b.items, rows, b.cfg.PadID, b.cfg.PadMultiple)
	return dst, nil
}

// Next returns the batch at the current position and advances, rolling over
// to the next epoch; it also returns the (epoch, index) it served.
func (b *Batcher) Next(dst *Batch) (batch *Batch, epoch, index int) {
	epoch, index = b.epoch, b.i
	batch, _ = b.Batch(epoch, index, dst) // the position is always valid
	b.i++
	if b.i == b.NumBatches() {
		b.epoch, b.i = b.epoch+1, 0
	}
	return batch, epoch, index
}

// Seek sets the position that Next serves next (for resuming).
func (b *Batcher) Seek(epoch, index int) error {
	if epoch < 0 || index < 0 || index >= b.NumBatches() {
		return fmt.Errorf("data: seek to batch %d of epoch %d: an epoch has batches 0..%d", index, epoch, b.NumBatches()-1)
	}
	b.epoch, b.i = epoch, index
	return nil
}

// Position is the (epoch, index) that Next serves next.
func (b *Batcher) Position() (epoch, index int) { return b.epoch, b.i }

// PadInto builds the batch of items[rows...] padded with padID to the
// longest row (rounded up to a multiple of padMultiple when it is > 1).
// Labels gets one class id per row and Scores one score per row.
func PadInto(dst *Batch, items []Item, rows []int, padID int32, padMultiple int) {
	s := 0
	for _, r := range rows {
		s = max(s, len(items[r].IDs))
	}
	if padMultiple > 1 {
		s = (s + padMultiple - 1) / padMultiple * padMultiple
	}
	bsz := len(rows)
	dst.B, dst.S = bsz, s
	dst.IDs = resize(dst.IDs, bsz*s)
	dst.Mask = resize(dst.Mask, bsz*s)
	dst.Labels = resize(dst.Labels, bsz)
	dst.Scores = resizeF(dst.Scores, bsz)
	dst.Rows = append(dst.Rows[:0], rows...)
	for k, r := range rows {
		it := items[r]
		ids, mask := dst.IDs[k*s:(k+1)*s], dst.Mask[k*s:(k+1)*s]
		n := copy(ids, it.IDs)
		for j := range mask {
			if j < n {
				mask[j] = 1
			} else {
				ids[j], mask[j] = padID, 0
			}
		}
		dst.Labels[k] = it.Label
		dst.Scores[k] = it.Score
	}
}

func resize(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

func resizeF(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
