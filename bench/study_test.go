package bench

import (
	"context"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/vgimg"
)

// TestStudyReports builds every study's report from synthetic sweeps (two
// "models" of different d0) and checks the tables and plot files.
func TestStudyReports(t *testing.T) {
	var rows []StudyRow
	for i, d0 := range []float64{100, 1000} {
		s := synth()
		s.D0 = d0
		s.Name = []string{"small", "large"}[i]
		c := testConfig(t.TempDir())
		c.Resolution = Resolution{Ratio: 1.5}
		res, err := Sweep(context.Background(), s, c)
		if err != nil {
			t.Fatal(err)
		}
		res.AllParams = int64(1e6 * (i + 1))
		rows = append(rows, StudyRow{Label: s.Name, Step: 1000 * (i + 1), Dir: c.Dir, Result: res})
	}
	for _, name := range StudyNames() {
		dir := t.TempDir()
		if err := StudyReport(dir, name, rows); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		md, err := os.ReadFile(filepath.Join(dir, "study.md"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if !strings.Contains(string(md), r.Label) || !strings.Contains(string(md), d90Cell(r.Result)) {
				t.Errorf("%s: study.md lacks %s or its d90 %s", name, r.Label, d90Cell(r.Result))
			}
		}
		for _, f := range []string{"study.json", "study.png", "study.svg"} {
			if !exists(filepath.Join(dir, f)) {
				t.Errorf("%s: %s missing", name, f)
			}
		}
		if name == "generalization" {
			// The synthetic gap is 2 x 0.02 at every d: the table says so, and
			// a constant gap has no correlation.
			if !strings.Contains(string(md), "| 0.0400 |") || !strings.Contains(string(md), "sqrt(d90/m)") || !strings.Contains(string(md), " d: —") {
				t.Errorf("generalization table:\n%s", md)
			}
			// The summary has one row per sweep, with its d90 and the gap
			// of its runs at d90; two sweeps are too few for a correlation.
			for _, r := range rows {
				row := fmt.Sprintf("| %s | %s | %d | %s | %.4f |", r.Label, r.Result.Task, r.Result.TrainSize, d90Cell(r.Result),
					math.Sqrt(float64(r.Result.D90)/float64(r.Result.TrainSize)))
				if !strings.Contains(string(md), row) {
					t.Errorf("generalization summary lacks %q:\n%s", row, md)
				}
			}
			if !strings.Contains(string(md), "Over the 2 sweeps with a d90, the gap at d90 against sqrt(d90/m): Spearman —") {
				t.Errorf("generalization summary's correlation line:\n%s", md)
			}
		}
	}
	if p := spearman([]float64{1, 2, 3, 4}, []float64{1, 8, 27, 64}); math.Abs(p-1) > 1e-12 {
		t.Errorf("spearman of a rising curve = %v", p)
	}
	if p := spearman([]float64{1, 2}, []float64{1, 2}); !math.IsNaN(p) {
		t.Errorf("spearman of 2 points = %v, want NaN", p)
	}
	// Spearman of (1,2,3,4) with (1,3,2,4): 1 - 6*2/(4*15) = 0.8.
	if p := spearman([]float64{1, 2, 3, 4}, []float64{1, 3, 2, 4}); math.Abs(p-0.8) > 1e-12 {
		t.Errorf("spearman with one swap = %v, want 0.8", p)
	}
	if p := pearson([]float64{1, 2, 3, 4}, []float64{2, 4, 6, 8}); math.Abs(p-1) > 1e-12 {
		t.Errorf("pearson of a line = %v", p)
	}
	if p := pearson([]float64{1, 2, 3}, []float64{3, 2, 1}); math.Abs(p+1) > 1e-12 {
		t.Errorf("pearson of a falling line = %v", p)
	}
}

// TestD90SeriesLowerBounds: a sweep without d90 is plotted at its largest d
// in a series of its own, not dropped, and one whose smallest d already
// reached the threshold in an upper-bound series; sweeps without any d
// tried are dropped.
func TestD90SeriesLowerBounds(t *testing.T) {
	rows := []StudyRow{
		{Step: 122, Result: Result{Task: "sentiment", Method: "said", Found: false, Hi: 100000}},
		{Step: 1953, Result: Result{Task: "sentiment", Method: "said", Found: true, D90: 1000, Lo: 750, Hi: 1000}},
		{Step: 488, Result: Result{Task: "sentiment", Method: "said", Found: true, D90: 5623, Lo: 3162, Hi: 5623}},
		{Step: 9, Result: Result{Task: "sentiment", Method: "said"}},
		{Step: 3906, Result: Result{Task: "sentiment", Method: "said", Found: true, D90: 100, Lo: 0, Hi: 100}},
	}
	s := d90Series(rows, func(r StudyRow) string { return r.Result.Task }, func(r StudyRow) float64 { return float64(r.Step) })
	if len(s) != 3 {
		t.Fatalf("%d series, want 3: %+v", len(s), s)
	}
	if !strings.Contains(s[2].Name, "at most") || len(s[2].XY) != 1 || s[2].XY[0].X != 3906 || s[2].XY[0].Y != 100 {
		t.Errorf("upper-bound series %+v", s[2])
	}
	if s[0].Name != "sentiment" || len(s[0].XY) != 2 || s[0].XY[0].X != 488 || s[0].XY[0].Y != 5623 || s[0].XY[1].Y != 1000 {
		t.Errorf("found series %+v", s[0])
	}
	if !strings.Contains(s[1].Name, "above") || len(s[1].XY) != 1 || s[1].XY[0].X != 122 || s[1].XY[0].Y != 100000 {
		t.Errorf("lower-bound series %+v", s[1])
	}
	// Bounds are drawn as points, found d90s as a line.
	if s[0].Points || !s[1].Points || !s[2].Points {
		t.Errorf("points only: found %v, lower bound %v, upper bound %v; want false, true, true", s[0].Points, s[1].Points, s[2].Points)
	}
}

// TestPadAxis: the summary plots' axes extend past the extreme points (a
// factor on log axes, a fraction of the range on linear ones, and a
// one-point axis still gets a width).
func TestPadAxis(t *testing.T) {
	a := plot.Axis{Min: 1e3, Max: 1e5}
	padAxis(&a, true)
	if math.Abs(a.Min-1e3/1.3) > 1e-9 || math.Abs(a.Max-1.3e5) > 1e-6 {
		t.Errorf("log axis padded to [%g, %g]", a.Min, a.Max)
	}
	a = plot.Axis{Min: 0, Max: 2}
	padAxis(&a, false)
	if math.Abs(a.Min+0.1) > 1e-12 || math.Abs(a.Max-2.1) > 1e-12 {
		t.Errorf("linear axis padded to [%g, %g]", a.Min, a.Max)
	}
	a = plot.Axis{Min: 0.5, Max: 0.5}
	padAxis(&a, false)
	if !(a.Min < 0.5 && a.Max > 0.5) {
		t.Errorf("one-point axis padded to [%g, %g]", a.Min, a.Max)
	}
}

// TestPlaceLegend: the legend goes to the corner the points leave free, and
// stays bottom-right when that corner is free.
func TestPlaceLegend(t *testing.T) {
	at := func(pts plotter.XYs) (top, left bool) {
		p := plot.New()
		l, err := plotter.NewLine(pts)
		if err != nil {
			t.Fatal(err)
		}
		p.Add(l)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 10, 0, 10
		placeLegend(p, []string{"a long legend entry", "another long legend entry"}, []plotter.XYs{pts}, nil)
		return p.Legend.Top, p.Legend.Left
	}
	// A cloud in the lower half: the legend goes to the top right.
	var low plotter.XYs
	for x := 0.0; x <= 10; x++ {
		low = append(low, plotter.XY{X: x, Y: 0.5})
	}
	if top, left := at(low); !top || left {
		t.Errorf("points along the bottom: legend top=%v left=%v, want top right", top, left)
	}
	// Points along the right edge and the top: bottom-left is the free one.
	edge := plotter.XYs{{X: 0, Y: 10}, {X: 5, Y: 10}, {X: 10, Y: 10}, {X: 10, Y: 5}, {X: 10, Y: 0}}
	if top, left := at(edge); top || !left {
		t.Errorf("points on the top and right edges: legend top=%v left=%v, want bottom left", top, left)
	}
	// A lone point (a glyph, no line) in the bottom right moves it too.
	p := plot.New()
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 10, 0, 10
	placeLegend(p, []string{"a long legend entry"}, nil, []plotter.XYs{{{X: 10, Y: 0}}})
	if !p.Legend.Top && !p.Legend.Left {
		t.Errorf("a point in the bottom right: the legend stays over it")
	}
	// A diagonal rising to the right leaves the bottom right free.
	diag := plotter.XYs{{X: 0, Y: 0}, {X: 10, Y: 10}}
	if top, left := at(diag); top || left {
		t.Errorf("rising diagonal: legend top=%v left=%v, want bottom right", top, left)
	}
}

// TestLegendBeside: with a point in every corner, PlotLines widens the
// image and draws the legend beside the data; with a free corner the image
// keeps its size.
func TestLegendBeside(t *testing.T) {
	width := func(pts plotter.XYs) int {
		path := filepath.Join(t.TempDir(), "p.png")
		if err := PlotLines("t", "x", "y", false, false, []Series{{Name: "a legend entry", XY: pts}}, path); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cfg, err := png.DecodeConfig(f)
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Width
	}
	free := width(plotter.XYs{{X: 0, Y: 0}, {X: 10, Y: 10}})
	full := width(plotter.XYs{{X: 0, Y: 0}, {X: 0, Y: 10}, {X: 10, Y: 10}, {X: 10, Y: 0}})
	if free != int(plotW.Dots(vgimg.DefaultDPI)) {
		t.Errorf("a free corner: image %d px wide, want %v", free, plotW.Dots(vgimg.DefaultDPI))
	}
	if full <= free {
		t.Errorf("points in every corner: image %d px wide, want wider than %d", full, free)
	}
}
