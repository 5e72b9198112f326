package bench

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Point is one d of a sweep: the runs at the learning rate chosen for it
// (the highest mean dev score over the seeds) and their mean and spread.
type Point struct {
	D  int     `json:"d"`
	LR float64 `json:"lr"`
	// Dev and Test are the means over the seeds that did not fail;
	// DevStd and TestStd their sample standard deviations (0 for one run).
	Dev     Score `json:"dev"`
	DevStd  Score `json:"dev_std"`
	Test    Score `json:"test"`
	TestStd Score `json:"test_std"`
	Train   Score `json:"train"`
	Runs    int   `json:"runs"`
	Failed  int   `json:"failed"`
	// AllRuns counts the runs at this d over every learning rate.
	AllRuns int `json:"all_runs"`
	// PerLR is the mean dev score of every learning rate tried (NaN: all
	// runs failed).
	PerLR     map[string]Score `json:"per_lr,omitempty"`
	Phase     string           `json:"phase"`
	Trainable int              `json:"trainable,omitempty"`
	Above     bool             `json:"above"`
	records   []Record
}

// Result is the outcome of a sweep: the baseline, the threshold, every
// evaluated d, and d90 with its bracket.
type Result struct {
	Model     string `json:"model"`
	ModelHash string `json:"model_hash"`
	Task      string `json:"task"`
	TaskHash  string `json:"task_hash,omitempty"`
	Method    string `json:"method"`
	Projector string `json:"projector"`

	Baseline     Score `json:"baseline_dev"`
	BaselineStd  Score `json:"baseline_dev_std"`
	BaselineTest Score `json:"baseline_test"`
	BaselineRuns int   `json:"baseline_runs"`
	// Chance is the dev score of always predicting the training split's
	// majority class (NaN when the runner does not know it).
	Chance    Score   `json:"chance_dev"`
	AllParams int64   `json:"all_params,omitempty"`
	TrainSize int     `json:"train_size,omitempty"`
	Fraction  float64 `json:"fraction"`
	Threshold Score   `json:"threshold"`

	// Found is false when no evaluated d reached the threshold (d90 > Hi).
	Found bool `json:"found"`
	D90   int  `json:"d90,omitempty"`
	// Lo and Hi bracket d90: Lo is the largest evaluated d below the
	// threshold (0: none, every d tried was above), Hi the smallest above
	// (d90 itself). When not found, Hi is the largest d tried.
	Lo  int    `json:"bracket_lo"`
	Hi  int    `json:"bracket_hi"`
	How string `json:"how"`
	// Missing counts the runs of the grid a report-only sweep found not
	// run yet (0: the sweep is complete as configured).
	Missing int `json:"missing,omitempty"`
	// BisectUnfinished: a report-only sweep whose bisection has steps left
	// (d90 is the bracket's upper end so far, not final).
	BisectUnfinished bool `json:"bisect_unfinished,omitempty"`
	// D90Test is the mean test score of the runs at d90.
	D90Test Score   `json:"d90_test"`
	Points  []Point `json:"points"`
	Runs    int     `json:"runs"`
	Seconds float64 `json:"seconds"`
}

// Filter selects the records a d90 analysis uses. Empty LRs or Seeds
// accept every value present.
type Filter struct {
	Method, Projector string
	LRs               []float64
	Seeds             []uint64
	BaselineLR        float64 // 0: any
	BaselineSeeds     []uint64
	// Complete requires every (lr, seed) pair of LRs x Seeds at a d before
	// the d counts (needs LRs and Seeds).
	Complete bool
	// LRRef > 0: learning rates were scaled with d (see Config.LRRef);
	// a record counts only when its LR is its grid value scaled so.
	LRRef int
	// ModelHash and Task, when set, must equal the records' identity.
	ModelHash, Task string
	// Keep, when set, must accept a record (a sweep keeps the records
	// whose key its runner would give them: same model, task and
	// hyperparameters).
	Keep func(Record) bool
}

// accepts reports whether r passes the identity checks of f.
func (f Filter) accepts(r Record) bool {
	if f.ModelHash != "" && r.Identity.ModelHash != f.ModelHash || f.Task != "" && r.Identity.Task != f.Task {
		return false
	}
	return f.Keep == nil || f.Keep(r)
}

// allows reports whether the filter list v lets x through: v is empty (no
// filter) or holds x.
func allows[T comparable](v []T, x T) bool { return len(v) == 0 || slices.Contains(v, x) }

func meanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			std += (x - mean) * (x - mean)
		}
		std = math.Sqrt(std / float64(len(v)-1))
	}
	return mean, std
}

// lrKey is how a learning rate is named in Point.PerLR.
func lrKey(lr float64) string { return fmt.Sprintf("%g", lr) }

// Aggregate groups the subspace records by d and picks each d's learning
// rate (the highest mean dev score; ties: the smaller rate).
func Aggregate(recs []Record, f Filter) []Point {
	byD := map[int][]Record{}
	for _, r := range recs {
		s := r.Spec
		if s.Kind != KindSubspace || s.Method != f.Method || !f.accepts(r) || (f.Projector != "" && s.Projector != f.Projector) ||
			!allows(f.LRs, s.gridLR()) || !allows(f.Seeds, s.Seed) {
			continue
		}
		if len(f.LRs) > 0 && (s.LRGrid != 0) != (f.LRRef > 0) || f.LRRef > 0 && s.LR != ScaleLR(s.LRGrid, s.D, f.LRRef) {
			continue
		}
		byD[s.D] = append(byD[s.D], r)
	}
	var pts []Point
	for d, rs := range byD {
		if f.Complete && len(rs) < len(f.LRs)*len(f.Seeds) {
			continue
		}
		byLR := map[float64][]Record{}
		var lrs []float64
		for _, r := range rs {
			if _, ok := byLR[r.Spec.LR]; !ok {
				lrs = append(lrs, r.Spec.LR)
			}
			byLR[r.Spec.LR] = append(byLR[r.Spec.LR], r)
		}
		sort.Float64s(lrs)
		p := Point{D: d, PerLR: map[string]Score{}, Dev: Score(math.NaN()), AllRuns: len(rs)}
		best := math.Inf(-1)
		for _, lr := range lrs {
			var dev []float64
			for _, r := range byLR[lr] {
				if r.ok() {
					dev = append(dev, float64(r.Dev))
				}
			}
			m, _ := meanStd(dev)
			p.PerLR[lrKey(lr)] = Score(m)
			if !math.IsNaN(m) && m > best {
				best, p.LR = m, lr
			}
		}
		if math.IsInf(best, -1) {
			p.LR = lrs[0]
		}
		p.records = byLR[p.LR]
		sort.Slice(p.records, func(i, j int) bool { return p.records[i].Spec.Seed < p.records[j].Spec.Seed })
		var dev, test, tr []float64
		p.Phase = "grid"
		for _, r := range p.records {
			p.Runs++
			if r.Phase == "bisect" {
				p.Phase = "bisect"
			}
			if r.Trainable > 0 {
				p.Trainable = r.Trainable
			}
			if !r.ok() {
				p.Failed++
				continue
			}
			dev = append(dev, float64(r.Dev))
			if !math.IsNaN(float64(r.Test)) {
				test = append(test, float64(r.Test))
			}
			if !math.IsNaN(float64(r.Train)) {
				tr = append(tr, float64(r.Train))
			}
		}
		m, s := meanStd(dev)
		p.Dev, p.DevStd = Score(m), Score(s)
		m, s = meanStd(test)
		p.Test, p.TestStd = Score(m), Score(s)
		m, _ = meanStd(tr)
		p.Train = Score(m)
		pts = append(pts, p)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].D < pts[j].D })
	return pts
}

// Baseline returns the mean and spread of the baseline records' dev scores
// and the mean test score.
func Baseline(recs []Record, f Filter) (dev, std, test float64, runs int) {
	var d, t []float64
	for _, r := range recs {
		if r.Spec.Kind != KindBaseline || !f.accepts(r) || !allows(f.BaselineSeeds, r.Spec.Seed) || (f.BaselineLR != 0 && r.Spec.LR != f.BaselineLR) {
			continue
		}
		runs++
		if r.ok() {
			d = append(d, float64(r.Dev))
			if !math.IsNaN(float64(r.Test)) {
				t = append(t, float64(r.Test))
			}
		}
	}
	dev, std = meanStd(d)
	test, _ = meanStd(t)
	return dev, std, test, runs
}

// Bracket finds d90 among the points for a threshold: hi is the smallest d
// whose mean dev score is >= threshold, lo the largest evaluated d below
// hi (0 when hi is the smallest d evaluated). found is false when no point
// reaches the threshold. A point whose runs all failed is below.
func Bracket(pts []Point, threshold float64) (lo, hi int, found bool) {
	for _, p := range pts {
		if !math.IsNaN(float64(p.Dev)) && float64(p.Dev) >= threshold {
			hi, found = p.D, true
			break
		}
	}
	if !found {
		if len(pts) > 0 {
			return pts[len(pts)-1].D, 0, false
		}
		return 0, 0, false
	}
	for _, p := range pts {
		if p.D < hi && p.D > lo {
			lo = p.D
		}
	}
	return lo, hi, true
}

// Resolution says when bisection stops: when hi/lo <= Ratio, or hi-lo <=
// Abs (when Abs > 0). Bisection always stops when hi-lo <= 1.
type Resolution struct {
	Ratio float64 `json:"ratio"`
	Abs   int     `json:"abs,omitempty"`
}

// Done reports whether the bracket [lo, hi] is narrow enough.
func (r Resolution) Done(lo, hi int) bool {
	if lo <= 0 || hi-lo <= 1 {
		return true
	}
	if r.Abs > 0 && hi-lo <= r.Abs {
		return true
	}
	return r.Ratio > 1 && float64(hi)/float64(lo) <= r.Ratio
}

// Mid is the next d to try between lo and hi: their geometric mean,
// rounded, kept strictly inside (lo, hi).
func Mid(lo, hi int) int {
	m := int(math.Round(math.Sqrt(float64(lo) * float64(hi))))
	if m <= lo {
		m = lo + 1
	}
	if m >= hi {
		m = hi - 1
	}
	return m
}

func (r Resolution) String() string {
	if r.Abs > 0 {
		return fmt.Sprintf("hi-lo <= %d", r.Abs)
	}
	return fmt.Sprintf("hi/lo <= %g", r.Ratio)
}

// Analyze computes the Result of a set of records: baseline, threshold
// (fraction of the baseline's mean dev score), points and d90.
func Analyze(recs []Record, f Filter, fraction float64) Result {
	res := Result{Method: f.Method, Projector: f.Projector, Fraction: fraction, Chance: Score(math.NaN())}
	for _, r := range recs {
		if !f.accepts(r) || r.Spec.Kind == KindSubspace && (r.Spec.Method != f.Method || (f.Projector != "" && r.Spec.Projector != f.Projector)) {
			continue
		}
		if res.Model == "" {
			res.Model, res.ModelHash, res.Task = r.Identity.Model, r.Identity.ModelHash, r.Identity.Task
			if i := strings.LastIndex(res.Task, "@"); i > 0 {
				res.Task, res.TaskHash = res.Task[:i], res.Task[i+1:]
			}
		}
		if r.AllParams > 0 {
			res.AllParams = r.AllParams
		}
		if r.TrainSize > 0 {
			res.TrainSize = r.TrainSize
		}
		res.Seconds += r.Seconds
	}
	b, bs, bt, n := Baseline(recs, f)
	res.Baseline, res.BaselineStd, res.BaselineTest, res.BaselineRuns = Score(b), Score(bs), Score(bt), n
	res.Threshold = Score(fraction * b)
	res.Points = Aggregate(recs, f)
	for i := range res.Points {
		p := &res.Points[i]
		p.Above = !math.IsNaN(float64(p.Dev)) && float64(p.Dev) >= float64(res.Threshold)
		res.Runs += p.AllRuns
	}
	res.Runs += n
	res.D90Test = Score(math.NaN())
	if math.IsNaN(b) {
		res.How = "no baseline yet"
		return res
	}
	lo, hi, found := Bracket(res.Points, float64(res.Threshold))
	res.Found, res.Lo, res.Hi = found, lo, hi
	switch {
	case len(res.Points) == 0:
		res.How = "no subspace runs yet"
	case !found:
		res.Hi, res.Lo = lo, lo
		res.How = fmt.Sprintf("no d tried reached the threshold: d90 > %d", lo)
	default:
		res.D90 = hi
		for _, p := range res.Points {
			if p.D == hi {
				res.D90Test = p.Test
			}
		}
		if lo == 0 {
			res.How = fmt.Sprintf("the smallest d tried already reached the threshold: d90 <= %d (a smaller --d-min would bracket it)", hi)
		} else {
			res.How = fmt.Sprintf("smallest d with mean dev >= threshold among %d evaluated d; bracket (%d, %d]", len(res.Points), lo, hi)
		}
	}
	return res
}
