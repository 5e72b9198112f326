package bench

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
		}
	}
	if p := pearson([]float64{1, 2, 3, 4}, []float64{2, 4, 6, 8}); math.Abs(p-1) > 1e-12 {
		t.Errorf("pearson of a line = %v", p)
	}
	if p := pearson([]float64{1, 2, 3}, []float64{3, 2, 1}); math.Abs(p+1) > 1e-12 {
		t.Errorf("pearson of a falling line = %v", p)
	}
}
