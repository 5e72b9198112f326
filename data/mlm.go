package data

import (
	"errors"
	"fmt"
)

// IgnoreIndex marks an MLM label position that the loss skips (PyTorch's
// cross-entropy default).
const IgnoreIndex = -100

// MaskConfig configures masked-language-model masking (BERT/RoBERTa):
// each real, non-special token is selected with probability Prob; a
// selected token becomes MaskID with probability MaskFrac, a random
// non-special token with probability RandomFrac, and stays as it is
// otherwise. Labels hold the original id at selected positions and
// IgnoreIndex elsewhere.
type MaskConfig struct {
	VocabSize int
	MaskID    int32
	// Special lists ids that are never selected nor drawn as random
	// replacements (<s>, </s>, <pad>, <unk>, <mask>). Padding positions
	// (Batch.Mask == 0) are never selected either.
	Special []int32
	// Prob is the selection probability (0 means 0.15).
	Prob float64
	// MaskFrac and RandomFrac split the selected tokens (both 0 means 0.8
	// and 0.1; the remainder is kept).
	MaskFrac, RandomFrac float64
	Seed                 uint64
}

// Masker applies MLM masking. Its draws for row r of a batch depend only on
// (Seed, step, r, position), so a resumed run that passes the same step
// reproduces the same masks.
type Masker struct {
	cfg     MaskConfig
	special []bool
}

// NewMasker checks the configuration.
func NewMasker(cfg MaskConfig) (*Masker, error) {
	if cfg.Prob == 0 {
		cfg.Prob = 0.15
	}
	if cfg.MaskFrac == 0 && cfg.RandomFrac == 0 {
		cfg.MaskFrac, cfg.RandomFrac = 0.8, 0.1
	}
	if !(cfg.Prob > 0 && cfg.Prob <= 1 && cfg.MaskFrac >= 0 && cfg.RandomFrac >= 0 && cfg.MaskFrac+cfg.RandomFrac <= 1) {
		return nil, fmt.Errorf("data: MLM probabilities Prob %v, MaskFrac %v, RandomFrac %v: need 0 < Prob <= 1 and MaskFrac+RandomFrac <= 1",
			cfg.Prob, cfg.MaskFrac, cfg.RandomFrac)
	}
	if cfg.VocabSize <= 0 || cfg.MaskID < 0 || int(cfg.MaskID) >= cfg.VocabSize {
		return nil, fmt.Errorf("data: MLM vocab size %d, mask id %d: need 0 <= mask id < vocab size", cfg.VocabSize, cfg.MaskID)
	}
	m := &Masker{cfg: cfg, special: make([]bool, cfg.VocabSize)}
	m.special[cfg.MaskID] = true
	for _, id := range cfg.Special {
		if id < 0 || int(id) >= cfg.VocabSize {
			return nil, fmt.Errorf("data: MLM special id %d outside the vocabulary [0, %d)", id, cfg.VocabSize)
		}
		m.special[id] = true
	}
	n := 0
	for _, s := range m.special {
		if !s {
			n++
		}
	}
	if n == 0 {
		return nil, errors.New("data: MLM: every id is special, none to draw as a random replacement")
	}
	return m, nil
}

// Mask masks b in place: b.IDs gets the corrupted ids and b.Labels becomes
// B*S targets. step identifies the batch (a global step counter); the same
// (batch contents, step) always gives the same result. Ids outside the
// vocabulary are an error.
func (m *Masker) Mask(b *Batch, step uint64) error {
	n := b.B * b.S
	if len(b.IDs) != n || len(b.Mask) != n {
		return fmt.Errorf("data: MLM: batch %dx%d has %d ids and %d mask entries", b.B, b.S, len(b.IDs), len(b.Mask))
	}
	b.Labels = resize(b.Labels, n)
	for r := range b.B {
		lo := r * b.S
		if err := m.maskRow(b.IDs[lo:lo+b.S], b.Mask[lo:lo+b.S], b.Labels[lo:lo+b.S], step, uint64(r)); err != nil {
			return fmt.Errorf("data: MLM: row %d: %w", r, err)
		}
	}
	return nil
}

func (m *Masker) maskRow(ids, mask, labels []int32, step, row uint64) error {
	c := &m.cfg
	rg := newRNG(c.Seed, 0x3a5c, step, row)
	for j, id := range ids {
		labels[j] = IgnoreIndex
		if id < 0 || int(id) >= c.VocabSize {
			return fmt.Errorf("id %d at position %d outside the vocabulary [0, %d)", id, j, c.VocabSize)
		}
		// The row stream gives exactly one draw per position; the action and
		// the replacement of a selected token come from a generator keyed by
		// the position, so no position shifts another's draws.
		u := rg.float64()
		if mask[j] == 0 || m.special[id] || u >= c.Prob {
			continue
		}
		labels[j] = id
		pr := newRNG(c.Seed, 0x3a5d, step, row, uint64(j))
		switch v := pr.float64(); {
		case v < c.MaskFrac:
			ids[j] = c.MaskID
		case v < c.MaskFrac+c.RandomFrac:
			for {
				t := int32(pr.intn(c.VocabSize))
				if !m.special[t] {
					ids[j] = t
					break
				}
			}
		}
	}
	return nil
}
