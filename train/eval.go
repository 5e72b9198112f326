package train

import (
	"fmt"
	"math"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

// Logits runs the classifier over tokenized items in batches of batch (in
// eval mode, recording nothing) and returns one row of num_labels logits per
// item.
func Logits(m *transformer.Model, items []data.Item, padID int32, batch int) ([][]float32, error) {
	if len(items) == 0 {
		return nil, nil
	}
	bt, err := data.NewBatcher(items, data.BatchConfig{BatchSize: max(batch, 1), PadID: padID})
	if err != nil {
		return nil, err
	}
	was := m.Training()
	m.SetTrain(false)
	defer m.SetTrain(was)
	out := make([][]float32, len(items))
	var b data.Batch
	var sc autograd.Scope
	for i := 0; i < bt.NumBatches(); i++ {
		if _, err := bt.Batch(0, i, &b); err != nil {
			return nil, err
		}
		sc.Begin()
		var logits *autograd.Tensor
		autograd.NoGrad(func() {
			logits, err = m.Classify(transformer.Batch{B: b.B, T: b.S, InputIDs: b.IDs, Attention: b.Mask})
		})
		if err != nil {
			sc.End()
			return nil, err
		}
		vals := logits.Data()
		sc.End()
		n := len(vals) / b.B
		for r, row := range b.Rows {
			out[row] = vals[r*n : (r+1)*n : (r+1)*n]
		}
	}
	return out, nil
}

// Argmax returns the index of the largest value (the first on ties; NaN
// never wins).
func Argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] || math.IsNaN(float64(v[best])) {
			best = i
		}
	}
	return best
}

// Evaluate scores the model on examples of task (tokenized with tok,
// truncated to maxLen): accuracy, F1, MCC for classes; Pearson and Spearman
// for regression.
func Evaluate(m *transformer.Model, tok *tokenizer.Tokenizer, task *data.Task, ex []data.Example, maxLen int) (data.Scores, error) {
	items, err := data.EncodeExamples(Encoder(tok), ex, maxLen)
	if err != nil {
		return nil, err
	}
	return evalItems(m, int32(tok.PAD()), 64, task, ex, items)
}

func evalItems(m *transformer.Model, pad int32, batch int, task *data.Task, ex []data.Example, items []data.Item) (data.Scores, error) {
	for _, e := range ex {
		if !e.HasLabel() {
			return nil, fmt.Errorf("train: example %s has no label: cannot score", e.ID)
		}
	}
	rows, err := Logits(m, items, pad, batch)
	if err != nil {
		return nil, err
	}
	if task.Regression() {
		sc := make([]float64, len(rows))
		for i, r := range rows {
			sc[i] = float64(r[0])
		}
		return task.Evaluate(ex, nil, sc)
	}
	pred := make([]int, len(rows))
	for i, r := range rows {
		pred[i] = Argmax(r)
	}
	return task.Evaluate(ex, pred, nil)
}

func labelled(ex []data.Example) bool {
	if len(ex) == 0 {
		return false
	}
	for _, e := range ex {
		if !e.HasLabel() {
			return false
		}
	}
	return true
}

// Classify tokenizes texts (truncated to maxLen tokens; 0 means the model's
// limit) and returns each one's predicted class and its logits.
func Classify(m *transformer.Model, tok *tokenizer.Tokenizer, texts []string, maxLen int) ([]int, [][]float32, error) {
	if maxLen <= 0 {
		maxLen = m.Config.MaxSeqLen()
	}
	items := make([]data.Item, len(texts))
	enc := Encoder(tok)
	for i, t := range texts {
		ids, err := enc.EncodeText(t, "", maxLen)
		if err != nil {
			return nil, nil, err
		}
		items[i].IDs = make([]int32, len(ids))
		for j, id := range ids {
			items[i].IDs[j] = int32(id)
		}
	}
	rows, err := Logits(m, items, int32(tok.PAD()), 64)
	if err != nil {
		return nil, nil, err
	}
	pred := make([]int, len(rows))
	for i, r := range rows {
		pred[i] = Argmax(r)
	}
	return pred, rows, nil
}
