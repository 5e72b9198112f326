package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// AtChance reports whether the baseline's dev score is within 0.02 of
// always predicting the majority class: full fine-tuning learnt nothing, so
// d90 says nothing.
func (r Result) AtChance() bool {
	return !math.IsNaN(float64(r.Chance)) && float64(r.Baseline) <= float64(r.Chance)+0.02
}

// D90Line is the one-line summary: "d90 = 420 (bracket (336, 420]) ...",
// with a warning when the baseline is at chance level.
func (r Result) D90Line() string {
	s := r.d90Line()
	if r.AtChance() {
		s += fmt.Sprintf(" -- WARNING: the baseline (%.4f) is no better than predicting the majority class (%.4f): full fine-tuning learnt nothing, so this d90 means nothing (train longer or with another --baseline-lr)", float64(r.Baseline), float64(r.Chance))
	}
	return s
}

func (r Result) d90Line() string {
	switch {
	case math.IsNaN(float64(r.Baseline)):
		return "d90: no baseline yet"
	case !r.Found && len(r.Points) == 0:
		return fmt.Sprintf("d90: no subspace run has finished yet (baseline dev %.4f, threshold %.4f)", float64(r.Baseline), float64(r.Threshold))
	case !r.Found:
		return fmt.Sprintf("d90 > %d: no d tried reached %.0f%% of the baseline (dev %.4f, threshold %.4f)", r.Hi, 100*r.Fraction, float64(r.Baseline), float64(r.Threshold))
	case r.Lo == 0:
		return fmt.Sprintf("d90 <= %d: the smallest d tried already reached %.0f%% of the baseline (dev %.4f, threshold %.4f)", r.D90, 100*r.Fraction, float64(r.Baseline), float64(r.Threshold))
	}
	return fmt.Sprintf("d90 = %d (bracket (%d, %d]): %s %s on %s reaches %.0f%% of full fine-tuning (baseline dev %.4f, threshold %.4f)",
		r.D90, r.Lo, r.Hi, strings.ToUpper(r.Method), r.Projector, r.Task, 100*r.Fraction, float64(r.Baseline), float64(r.Threshold))
}

func f4(s Score) string {
	if math.IsNaN(float64(s)) {
		return "—"
	}
	return fmt.Sprintf("%.4f", float64(s))
}

// Table is the sweep as a markdown table: one row per d (the chosen
// learning rate, mean ± spread of dev and test over the seeds), the
// baseline first.
func (r Result) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| d | trainable %% | lr | dev (mean ± sd) | test (mean ± sd) | runs (failed) | >= %.0f%% | phase | dev by lr |\n", 100*r.Fraction)
	b.WriteString("|---:|---:|---:|---|---|---:|:---:|---|---|\n")
	if !math.IsNaN(float64(r.Chance)) {
		fmt.Fprintf(&b, "| majority class | 0 | | %s | | | | chance | |\n", f4(r.Chance))
	}
	fmt.Fprintf(&b, "| full (%d) | 100 | | %s ± %s | %s | %d | | baseline | |\n", r.AllParams, f4(r.Baseline), f4(r.BaselineStd), f4(r.BaselineTest), r.BaselineRuns)
	for _, p := range r.Points {
		pct := ""
		if r.AllParams > 0 {
			pct = fmt.Sprintf("%.4f", 100*float64(p.D)/float64(r.AllParams))
		}
		mark := ""
		if p.Above {
			mark = "yes"
		}
		if r.Found && p.D == r.D90 {
			mark = "**d90**"
		}
		var lrs []string
		if len(p.PerLR) > 1 {
			keys := make([]float64, 0, len(p.PerLR))
			for k := range p.PerLR {
				v, _ := strconv.ParseFloat(k, 64)
				keys = append(keys, v)
			}
			sort.Float64s(keys)
			for _, k := range keys {
				lrs = append(lrs, fmt.Sprintf("%g: %s", k, f4(p.PerLR[lrKey(k)])))
			}
		}
		fmt.Fprintf(&b, "| %d | %s | %g | %s ± %s | %s ± %s | %d (%d) | %s | %s | %s |\n", p.D, pct, p.LR, f4(p.Dev), f4(p.DevStd),
			f4(p.Test), f4(p.TestStd), p.Runs, p.Failed, mark, p.Phase, strings.Join(lrs, ", "))
	}
	return b.String()
}

// Markdown is the report: what was measured, the d90 line and the table.
func (r Result) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# d90: %s on %s, %s with %s\n\n", r.Model, r.Task, strings.ToUpper(r.Method), r.Projector)
	fmt.Fprintf(&b, "model hash `%s`; %d runs, %.0f s of training in all.\n\n", r.ModelHash, r.Runs, r.Seconds)
	fmt.Fprintf(&b, "%s\n\nHow: %s.\n\n", r.D90Line(), r.How)
	if r.Found {
		fmt.Fprintf(&b, "Test score of the runs at d90: %s (baseline test %s).\n\n", f4(r.D90Test), f4(r.BaselineTest))
	}
	b.WriteString(r.Table())
	return b.String()
}

// WriteReport writes d90.json, table.md, plot.png and plot.svg into dir.
func WriteReport(dir string, r Result) error {
	if err := writeFileAtomic(filepath.Join(dir, "d90.json"), mustJSON(r)); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "table.md"), []byte(r.Markdown())); err != nil {
		return err
	}
	if len(r.Points) == 0 {
		return nil
	}
	return PlotSweep(r, filepath.Join(dir, "plot.png"), filepath.Join(dir, "plot.svg"))
}

// exists reports whether path is a non-empty file.
func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Size() > 0
}
