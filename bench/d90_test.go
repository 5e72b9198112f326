package bench

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

func pts(ds []int, devs []float64) []Point {
	var out []Point
	for i, d := range ds {
		out = append(out, Point{D: d, Dev: Score(devs[i])})
	}
	return out
}

func TestBracket(t *testing.T) {
	ds := []int{10, 100, 1000, 10000}
	for _, c := range []struct {
		name   string
		dev    []float64
		lo, hi int
		found  bool
		thr    float64
	}{
		{"monotone", []float64{0.5, 0.7, 0.85, 0.9}, 100, 1000, true, 0.8},
		{"all above", []float64{0.85, 0.86, 0.9, 0.9}, 0, 10, true, 0.8},
		{"all below", []float64{0.5, 0.6, 0.7, 0.75}, 10000, 0, false, 0.8},
		{"non-monotone: first crossing", []float64{0.5, 0.82, 0.7, 0.9}, 10, 100, true, 0.8},
		{"non-monotone: dip after", []float64{0.5, 0.6, 0.81, 0.79}, 100, 1000, true, 0.8},
		{"NaN is below", []float64{math.NaN(), 0.6, math.NaN(), 0.9}, 1000, 10000, true, 0.8},
		{"exactly the threshold counts", []float64{0.5, 0.8, 0.9, 0.9}, 10, 100, true, 0.8},
	} {
		lo, hi, found := Bracket(pts(ds, c.dev), c.thr)
		if lo != c.lo || hi != c.hi || found != c.found {
			t.Errorf("%s: Bracket = (%d, %d, %v), want (%d, %d, %v)", c.name, lo, hi, found, c.lo, c.hi, c.found)
		}
	}
}

func TestMidAndResolution(t *testing.T) {
	for _, c := range []struct{ lo, hi, want int }{{100, 400, 200}, {10, 11, 10}, {10, 12, 11}, {1, 1000, 32}} {
		got := Mid(c.lo, c.hi)
		if c.hi-c.lo > 1 && (got <= c.lo || got >= c.hi) {
			t.Errorf("Mid(%d, %d) = %d: not strictly inside", c.lo, c.hi, got)
		}
		if c.hi-c.lo > 1 && got != c.want {
			t.Errorf("Mid(%d, %d) = %d, want %d", c.lo, c.hi, got, c.want)
		}
	}
	r := Resolution{Ratio: 1.25}
	if r.Done(100, 126) || !r.Done(100, 125) || !r.Done(0, 10) || !r.Done(5, 6) {
		t.Error("ratio resolution wrong")
	}
	a := Resolution{Abs: 10}
	if a.Done(100, 111) || !a.Done(100, 110) {
		t.Error("absolute resolution wrong")
	}
}

func TestLogGrid(t *testing.T) {
	g := LogGrid(10, 10000, 3)
	want := []int{10, 22, 46, 100, 215, 464, 1000, 2154, 4642, 10000}
	if len(g) != len(want) {
		t.Fatalf("LogGrid = %v, want %v", g, want)
	}
	for i := range g {
		if g[i] != want[i] {
			t.Fatalf("LogGrid = %v, want %v", g, want)
		}
	}
	if g := LogGrid(5, 5, 3); len(g) != 1 || g[0] != 5 {
		t.Errorf("LogGrid(5,5) = %v", g)
	}
	if g := LogGrid(1, 3, 10); len(g) != 3 {
		t.Errorf("LogGrid(1,3,10) = %v, want 1 2 3 deduplicated", g)
	}
}

func TestLogGridFrom(t *testing.T) {
	for _, c := range []struct {
		lo, hi int
		per    float64
		minD   int
		want   []int
	}{
		// idim-base's SAID (105 tensors): 106 stands in for 100, the rest
		// are the decade grid's.
		{100, 100000, 2, 106, []int{106, 316, 1000, 3162, 10000, 31623, 100000}},
		// Below lo nothing changes.
		{100, 100000, 2, 42, []int{100, 316, 1000, 3162, 10000, 31623, 100000}},
		{100, 100000, 2, 100, []int{100, 316, 1000, 3162, 10000, 31623, 100000}},
		// 46 is within half a step (10^(1/6) = 1.47x) of 42: no extra d.
		{10, 1000, 3, 42, []int{46, 100, 215, 464, 1000}},
		// 100 is not within half a step of 60: 60 is tried.
		{10, 1000, 3, 60, []int{60, 100, 215, 464, 1000}},
	} {
		g := LogGridFrom(c.lo, c.hi, c.per, c.minD)
		if fmt.Sprint(g) != fmt.Sprint(c.want) {
			t.Errorf("LogGridFrom(%d, %d, %g, %d) = %v, want %v", c.lo, c.hi, c.per, c.minD, g, c.want)
		}
	}
}

func rec(kind string, d int, lr float64, seed uint64, dev float64, failed bool) Record {
	sp := Spec{Kind: kind, Method: "said", Projector: "fastfood", D: d, LR: lr, Seed: seed}
	if kind == KindBaseline {
		sp = Spec{Kind: kind, Method: "full", LR: lr, Seed: seed}
	}
	id := Identity{Model: "m"}
	return Record{Key: Key(id, sp), Identity: id, Spec: sp, Outcome: Outcome{Dev: Score(dev), Test: Score(dev - 0.01), Train: Score(math.NaN()), Failed: failed}}
}

func TestAggregateChoosesLRAndAverages(t *testing.T) {
	recs := []Record{
		rec(KindBaseline, 0, 1e-4, 1, 0.9, false), rec(KindBaseline, 0, 1e-4, 2, 0.8, false),
		rec(KindSubspace, 100, 0.01, 1, 0.6, false), rec(KindSubspace, 100, 0.01, 2, 0.7, false),
		rec(KindSubspace, 100, 0.1, 1, 0.8, false), rec(KindSubspace, 100, 0.1, 2, math.NaN(), true),
		rec(KindSubspace, 200, 0.01, 1, 0.5, true), rec(KindSubspace, 200, 0.01, 2, 0.5, true),
		rec(KindSubspace, 200, 0.1, 1, 0.5, true), rec(KindSubspace, 200, 0.1, 2, 0.5, true),
	}
	f := Filter{Method: "said", Projector: "fastfood", LRs: []float64{0.01, 0.1}, Seeds: []uint64{1, 2}, Complete: true}
	res := Analyze(recs, f, 0.9)
	if math.Abs(float64(res.Baseline)-0.85) > 1e-12 || math.Abs(float64(res.BaselineStd)-math.Sqrt(0.005)) > 1e-12 {
		t.Errorf("baseline %v ± %v, want 0.85 ± %v", res.Baseline, res.BaselineStd, math.Sqrt(0.005))
	}
	if len(res.Points) != 2 {
		t.Fatalf("points %+v", res.Points)
	}
	p := res.Points[0]
	// lr 0.1: one success (0.8), one failure -> mean 0.8 beats 0.65.
	if p.LR != 0.1 || float64(p.Dev) != 0.8 || p.Failed != 1 || p.Runs != 2 {
		t.Errorf("d=100: %+v", p)
	}
	q := res.Points[1]
	if !math.IsNaN(float64(q.Dev)) || q.Failed != 2 || q.Above {
		t.Errorf("d=200 (all failed): %+v", q)
	}
	// threshold 0.765: d=100 is above.
	if !res.Found || res.D90 != 100 || res.Lo != 0 {
		t.Errorf("d90 %d found %v lo %d", res.D90, res.Found, res.Lo)
	}
	// d = 200 failed, so the note must not claim that every d reached it.
	if !strings.Contains(res.How, "smallest d tried already reached") || strings.Contains(res.How, "every d") {
		t.Errorf("how %q", res.How)
	}
	// Complete filter: drop one run at d=100 and it no longer counts.
	f.Seeds = []uint64{1, 2, 3}
	if res := Analyze(recs, f, 0.9); len(res.Points) != 0 {
		t.Errorf("incomplete d counted: %+v", res.Points)
	}
}

// TestNoSubspaceRunYet: a sweep with its baseline and no subspace run says
// so, instead of "d90 > 0".
func TestNoSubspaceRunYet(t *testing.T) {
	f := Filter{Method: "said", Seeds: []uint64{1}, BaselineSeeds: []uint64{1}, Complete: true}
	res := Analyze([]Record{rec(KindBaseline, 0, 1e-4, 1, 0.8, false)}, f, 0.9)
	if line := res.D90Line(); !strings.Contains(line, "no subspace run has finished yet") || strings.Contains(line, "d90 >") {
		t.Errorf("line %q", line)
	}
	if c := d90Cell(res); c != "—" {
		t.Errorf("study cell %q, want —", c)
	}
}
