package data

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func TestBinaryMetrics(t *testing.T) {
	pred := []int{1, 1, 0, 0, 1}
	gold := []int{1, 0, 0, 1, 1}
	// tp 2, fp 1, fn 1, tn 1.
	if got := Accuracy(pred, gold); !near(got, 3.0/5) {
		t.Errorf("accuracy %v", got)
	}
	if got := F1(pred, gold, 1); !near(got, 4.0/6) {
		t.Errorf("F1 %v, want 2/3", got)
	}
	if got := MCC(pred, gold, 2); !near(got, (2*1-1*1)/math.Sqrt(3*3*2*2)) {
		t.Errorf("MCC %v, want 1/6", got)
	}
	// Perfect and inverted predictions.
	inv := []int{0, 1, 1, 0, 0}
	if MCC(gold, gold, 2) != 1 || !near(MCC(inv, gold, 2), -1) || F1(inv, gold, 1) != 0 {
		t.Error("MCC of perfect / inverted predictions")
	}
	// Edge cases: all one class.
	zeros := []int{0, 0, 0, 0, 0}
	if MCC(zeros, gold, 2) != 0 || MCC(gold, zeros, 2) != 0 || MCC(zeros, zeros, 2) != 0 {
		t.Error("MCC with one class must be 0")
	}
	if F1(zeros, zeros, 1) != 0 || F1(zeros, gold, 1) != 0 {
		t.Error("F1 without positives must be 0")
	}
	if F1(gold, zeros, 1) != 0 {
		t.Error("F1 with only false positives must be 0")
	}
	if Accuracy(nil, nil) != 0 {
		t.Error("accuracy of nothing")
	}
}

// mccRef is the multiclass MCC from the confusion matrix, written as the
// correlation of one-hot vectors (a different route from MCC's).
func mccRef(pred, gold []int, k int) float64 {
	n := float64(len(gold))
	var cov, vp, vg float64
	for c := range k {
		var mp, mg float64
		for i := range gold {
			mp += b2f(pred[i] == c)
			mg += b2f(gold[i] == c)
		}
		mp /= n
		mg /= n
		for i := range gold {
			dp, dg := b2f(pred[i] == c)-mp, b2f(gold[i] == c)-mg
			cov += dp * dg
			vp += dp * dp
			vg += dg * dg
		}
	}
	if vp == 0 || vg == 0 {
		return 0
	}
	return cov / math.Sqrt(vp*vg)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func TestMCCMulticlass(t *testing.T) {
	r := newRNG(3)
	for trial := range 50 {
		k := 2 + trial%4
		n := 1 + r.intn(60)
		pred, gold := make([]int, n), make([]int, n)
		for i := range n {
			gold[i] = r.intn(k)
			pred[i] = gold[i]
			if r.intn(3) == 0 {
				pred[i] = r.intn(k)
			}
		}
		if got, want := MCC(pred, gold, k), mccRef(pred, gold, k); math.Abs(got-want) > 1e-12 {
			t.Fatalf("k=%d n=%d: MCC %v, reference %v", k, n, got, want)
		}
	}
}

func TestCorrelations(t *testing.T) {
	x := []float64{1, 2, 3}
	y := []float64{2, 4, 7}
	// sxy = 5, sxx = 2, syy = 114/9.
	if got, want := Pearson(x, y), 5/math.Sqrt(2*114.0/9); !near(got, want) {
		t.Errorf("Pearson %v, want %v", got, want)
	}
	if got := Spearman(x, y); !near(got, 1) {
		t.Errorf("Spearman of a monotone relation %v", got)
	}
	// Ties take average ranks: x ranks 1, 2.5, 2.5, 4; y ranks 1, 3, 2, 4.
	xr := []float64{10, 20, 20, 30}
	yr := []float64{0.1, 0.3, 0.2, 0.4}
	if got, want := Spearman(xr, yr), Pearson([]float64{1, 2.5, 2.5, 4}, []float64{1, 3, 2, 4}); !near(got, want) {
		t.Errorf("Spearman with ties %v, want %v", got, want)
	}
	// sxy = 4.5, sxx = 4.5, syy = 5 for the ranks above.
	if got := Spearman(xr, yr); !near(got, 4.5/math.Sqrt(4.5*5)) {
		t.Errorf("Spearman with ties %v", got)
	}
	if Pearson([]float64{1, 1, 1}, y) != 0 || Pearson(nil, nil) != 0 || Spearman([]float64{5}, []float64{1}) != 0 {
		t.Error("degenerate correlations must be 0")
	}
	if got := Pearson([]float64{3, 2, 1}, x); !near(got, -1) {
		t.Errorf("Pearson of reversed %v", got)
	}
}

func TestEvaluateAndMajority(t *testing.T) {
	task := &Task{Name: "t", NumLabels: 2, Metric: MetricF1,
		Train: []Example{{Label: 1}, {Label: 1}, {Label: 0}},
		Dev:   []Example{{Label: 0}, {Label: 1}, {Label: 0}, {Label: 0}}}
	s, err := task.Evaluate(task.Dev, []int{0, 1, 1, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !near(s[MetricAccuracy], 0.75) || !near(s.Main(task), 2.0/3) {
		t.Errorf("scores %v", s)
	}
	if _, err := task.Evaluate(task.Dev, []int{0, 1}, nil); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := task.Evaluate(task.Dev, []int{0, 1, 2, 0}, nil); err == nil {
		t.Error("prediction 2 accepted for 2 labels")
	}
	if _, err := task.Evaluate([]Example{{Label: NoLabel}}, []int{0}, nil); err == nil {
		t.Error("unlabelled example scored")
	}
	label, s, err := task.Majority(task.Dev)
	if err != nil || label != 1 || !near(s[MetricAccuracy], 0.25) || !near(s[MetricF1], 0.4) || s[MetricMCC] != 0 {
		t.Errorf("majority %d %v %v", label, s, err)
	}
	reg := &Task{Name: "r", NumLabels: 1, Metric: MetricPearson, Train: []Example{{Score: 1}}}
	s, err = reg.Evaluate([]Example{{Score: 1}, {Score: 2}, {Score: 4}}, nil, []float64{1, 2, 3})
	if err != nil || !near(s[MetricSpearman], 1) || s[MetricPearson] <= 0.9 {
		t.Errorf("regression %v %v", s, err)
	}
	if _, s, _ := reg.Majority(reg.Train); s[MetricPearson] != 0 {
		t.Errorf("regression majority %v", s)
	}
}
