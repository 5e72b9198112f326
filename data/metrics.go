package data

import (
	"fmt"
	"math"
	"sort"
)

// Scores maps metric names (MetricAccuracy, ...) to values.
type Scores map[string]float64

// Main returns the score of the task's main metric.
func (s Scores) Main(t *Task) float64 { return s[t.Metric] }

// String lists the scores in a fixed order, e.g. "accuracy 0.8125 f1 0.8000".
func (s Scores) String() string {
	out := ""
	for _, k := range []string{MetricAccuracy, MetricF1, MetricMCC, MetricPearson, MetricSpearman} {
		if v, ok := s[k]; ok {
			if out != "" {
				out += " "
			}
			out += fmt.Sprintf("%s %.4f", k, v)
		}
	}
	return out
}

func sameLen(what string, a, b int) {
	if a != b {
		panic(fmt.Sprintf("data: %s: %d predictions for %d gold labels", what, a, b))
	}
}

// Accuracy is the fraction of pred[i] == gold[i]; 0 for no examples. It
// panics if the lengths differ (a programming error, not bad input).
func Accuracy(pred, gold []int) float64 {
	sameLen("Accuracy", len(pred), len(gold))
	if len(gold) == 0 {
		return 0
	}
	ok := 0
	for i := range gold {
		if pred[i] == gold[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(gold))
}

// F1 is the F1 score of class positive: 2 tp / (2 tp + fp + fn). When there
// are neither gold nor predicted positives it is 0 (as scikit-learn's
// default zero_division).
func F1(pred, gold []int, positive int) float64 {
	sameLen("F1", len(pred), len(gold))
	var tp, fp, fn int
	for i := range gold {
		p, g := pred[i] == positive, gold[i] == positive
		switch {
		case p && g:
			tp++
		case p:
			fp++
		case g:
			fn++
		}
	}
	if tp == 0 {
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

// MCC is the Matthews correlation coefficient, in its multiclass form
// (Gorodkin 2004), which equals (tp tn - fp fn) / sqrt((tp+fp)(tp+fn)(tn+fp)(tn+fn))
// for two classes. Labels must be in [0, numLabels). It is 0 when either the
// predictions or the gold labels are all one class (the denominator
// vanishes), as in scikit-learn.
func MCC(pred, gold []int, numLabels int) float64 {
	sameLen("MCC", len(pred), len(gold))
	// Confusion counts by row sums (true) and column sums (predicted).
	t := make([]float64, numLabels)
	p := make([]float64, numLabels)
	var c float64
	for i := range gold {
		t[gold[i]]++
		p[pred[i]]++
		if pred[i] == gold[i] {
			c++
		}
	}
	s := float64(len(gold))
	var pt, pp, tt float64
	for k := range numLabels {
		pt += p[k] * t[k]
		pp += p[k] * p[k]
		tt += t[k] * t[k]
	}
	den := math.Sqrt((s*s - pp) * (s*s - tt))
	if den == 0 {
		return 0
	}
	return (c*s - pt) / den
}

// Pearson is the Pearson correlation of x and y, computed in float64 with
// centred sums; 0 when either side is constant (no linear relation can be
// measured) or there are fewer than two points.
func Pearson(x, y []float64) float64 {
	sameLen("Pearson", len(x), len(y))
	n := len(x)
	if n < 2 {
		return 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// Spearman is the Pearson correlation of the ranks of x and y, ties taking
// their average rank.
func Spearman(x, y []float64) float64 {
	sameLen("Spearman", len(x), len(y))
	return Pearson(ranks(x), ranks(y))
}

func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// Golds returns the gold class ids of examples.
func Golds(ex []Example) []int {
	g := make([]int, len(ex))
	for i, e := range ex {
		g[i] = e.Label
	}
	return g
}

// GoldScores returns the gold regression targets of examples.
func GoldScores(ex []Example) []float64 {
	g := make([]float64, len(ex))
	for i, e := range ex {
		g[i] = float64(e.Score)
	}
	return g
}

// EvaluateClasses scores class predictions: accuracy and MCC always, F1 of
// class 1 when numLabels == 2.
func EvaluateClasses(pred, gold []int, numLabels int) (Scores, error) {
	if len(pred) != len(gold) {
		return nil, fmt.Errorf("data: %d predictions for %d examples", len(pred), len(gold))
	}
	for i := range gold {
		if gold[i] < 0 || gold[i] >= numLabels {
			return nil, fmt.Errorf("data: example %d has no gold label in [0, %d) (label %d)", i, numLabels, gold[i])
		}
		if pred[i] < 0 || pred[i] >= numLabels {
			return nil, fmt.Errorf("data: prediction %d is %d, outside [0, %d)", i, pred[i], numLabels)
		}
	}
	s := Scores{MetricAccuracy: Accuracy(pred, gold), MetricMCC: MCC(pred, gold, numLabels)}
	if numLabels == 2 {
		s[MetricF1] = F1(pred, gold, 1)
	}
	return s, nil
}

// EvaluateRegression scores predicted scores: Pearson and Spearman.
func EvaluateRegression(pred, gold []float64) (Scores, error) {
	if len(pred) != len(gold) {
		return nil, fmt.Errorf("data: %d predictions for %d examples", len(pred), len(gold))
	}
	return Scores{MetricPearson: Pearson(pred, gold), MetricSpearman: Spearman(pred, gold)}, nil
}

// Evaluate scores predictions for examples of task t: pred holds class ids
// for classification, score holds predicted scores for regression (the other
// may be nil).
func (t *Task) Evaluate(ex []Example, pred []int, score []float64) (Scores, error) {
	if t.Regression() {
		for i, e := range ex {
			if !e.HasLabel() {
				return nil, fmt.Errorf("data: %s: example %d (%s) is unlabelled", t.Name, i, e.ID)
			}
		}
		return EvaluateRegression(score, GoldScores(ex))
	}
	return EvaluateClasses(pred, Golds(ex), t.NumLabels)
}

// Majority returns the most frequent label of the training split (ties go
// to the smaller id) and the scores of predicting it for every example of
// eval; for regression it predicts the training mean, whose correlations are
// 0.
func (t *Task) Majority(eval []Example) (label int, s Scores, err error) {
	if t.Regression() {
		return 0, Scores{MetricPearson: 0, MetricSpearman: 0}, nil
	}
	c := LabelCounts(t.Train, t.NumLabels)
	for k := 1; k < t.NumLabels; k++ {
		if c[k] > c[label] {
			label = k
		}
	}
	pred := make([]int, len(eval))
	for i := range pred {
		pred[i] = label
	}
	s, err = EvaluateClasses(pred, Golds(eval), t.NumLabels)
	return label, s, err
}
