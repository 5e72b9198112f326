package bench

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot/plotter"

	"github.com/idim-go/idim/data"
)

// Studies lists the paper's studies `idim study` runs.
var Studies = map[string]string{
	"did-vs-said":    "d90 of DID and SAID for every model x task",
	"pretraining":    "d90 at checkpoints along the pre-training of one model",
	"model-size":     "d90 against the parameter count of the models",
	"generalization": "the bound L <= L_hat + O(sqrt(d/m)) against the measured train-test gap of every run",
}

// StudyNames is the sorted list of study names.
func StudyNames() []string { return slices.Sorted(maps.Keys(Studies)) }

// StudyRow is one sweep of a study.
type StudyRow struct {
	Label  string `json:"label"` // model name, checkpoint step, ...
	Step   int    `json:"step,omitempty"`
	Dir    string `json:"dir"`
	Result Result `json:"result"`
}

func d90Cell(r Result) string {
	var why []string
	if r.Missing > 0 {
		why = append(why, fmt.Sprintf("%d runs missing", r.Missing))
	}
	if r.BisectUnfinished {
		why = append(why, "bisection not finished")
	}
	if len(why) > 0 {
		return d90Bracket(r) + " (partial: " + strings.Join(why, ", ") + ")"
	}
	return d90Bracket(r)
}

func d90Bracket(r Result) string {
	switch {
	case math.IsNaN(float64(r.Baseline)), !r.Found && len(r.Points) == 0:
		return "—"
	case !r.Found:
		return fmt.Sprintf("> %d", r.Hi)
	case r.Lo == 0:
		return fmt.Sprintf("<= %d", r.D90)
	}
	return fmt.Sprintf("%d (%d, %d]", r.D90, r.Lo, r.Hi)
}

// StudyReport writes the summary of a study's sweeps into dir: study.md
// (tables), study.json, and the study's plots (PNG and SVG).
func StudyReport(dir, name string, rows []StudyRow) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# idim study %s\n\n%s.\n\nEach row is one sweep; its directory holds results.jsonl, d90.json, table.md and plots.\n\n", name, Studies[name])
	switch name {
	case "generalization":
		generalization(&b, rows)
	default:
		b.WriteString("| sweep | model | params | task | method | majority class dev | baseline dev | threshold | d90 (bracket] | test at d90 | runs |\n|---|---|---:|---|---|---:|---:|---:|---|---:|---:|\n")
		warn := false
		for _, r := range rows {
			res := r.Result
			note := ""
			if res.AtChance() {
				note, warn = " (!)", true
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %s | %s/%s | %s | %s%s | %s | %s | %s | %d |\n", r.Label, res.Model, res.AllParams, res.Task,
				res.Method, res.Projector, f4(res.Chance), f4(res.Baseline), note, f4(res.Threshold), d90Cell(res), f4(res.D90Test), res.Runs)
		}
		if warn {
			b.WriteString("\n(!) the baseline is within 0.02 of the majority class: full fine-tuning learnt nothing, so that d90 means nothing.\n")
		}
	}
	if err := writeFileAtomic(filepath.Join(dir, "study.md"), []byte(b.String())); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "study.json"), mustJSON(rows)); err != nil {
		return err
	}
	return studyPlot(dir, name, rows)
}

// d90Series groups found d90 values by a key (method/task) against x. A
// sweep in which no d reached the threshold adds a point at the largest d
// tried to a second series of the same key, "<key>: d90 above (largest d
// tried)", so that the plot shows a lower bound instead of dropping it;
// one whose smallest d tried already reached it (d90 <= d-min) goes to
// "<key>: d90 at most (smallest d tried)", an upper bound. Bounds are
// drawn as points: a line between two would stand for the sizes between.
func d90Series(rows []StudyRow, key func(StudyRow) string, x func(StudyRow) float64) []Series {
	m := map[string]*Series{}
	var keys []string
	add := func(k string, bound bool, p plotter.XY) {
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
			m[k] = &Series{Name: k, Points: bound}
		}
		m[k].XY = append(m[k].XY, p)
	}
	for _, r := range rows {
		switch {
		case r.Result.Found && r.Result.Lo == 0:
			add(key(r)+": d90 at most (smallest d tried)", true, plotter.XY{X: x(r), Y: float64(r.Result.D90)})
		case r.Result.Found:
			add(key(r), false, plotter.XY{X: x(r), Y: float64(r.Result.D90)})
		case r.Result.Hi > 0:
			add(key(r)+": d90 above (largest d tried)", true, plotter.XY{X: x(r), Y: float64(r.Result.Hi)})
		}
	}
	sort.Strings(keys)
	var out []Series
	for _, k := range keys {
		xy := m[k].XY
		sort.Slice(xy, func(i, j int) bool { return xy[i].X < xy[j].X })
		out = append(out, *m[k])
	}
	return out
}

func studyPlot(dir, name string, rows []StudyRow) error {
	png, svg := filepath.Join(dir, "study.png"), filepath.Join(dir, "study.svg")
	var err error
	switch name {
	case "did-vs-said", "model-size":
		s := d90Series(rows, func(r StudyRow) string { return r.Result.Task + " " + strings.ToUpper(r.Result.Method) },
			func(r StudyRow) float64 { return float64(r.Result.AllParams) })
		if len(s) == 0 {
			return nil
		}
		title := "d90 against model size"
		if name == "did-vs-said" {
			title = "d90 of DID and SAID against model size"
		}
		err = PlotLines(title, "parameters", "d90", true, true, s, png, svg)
	case "pretraining":
		s := d90Series(rows, func(r StudyRow) string { return r.Result.Task + " " + strings.ToUpper(r.Result.Method) },
			func(r StudyRow) float64 { return float64(r.Step) })
		if len(s) == 0 {
			return nil
		}
		err = PlotLines("d90 along pre-training", "pre-training step", "d90", false, true, s, png, svg)
	case "generalization":
		var s []Series
		for _, r := range rows {
			var xy plotter.XYs
			for _, p := range r.Result.Points {
				if m := r.Result.TrainSize; m > 0 && !math.IsNaN(float64(p.Train)) && !math.IsNaN(float64(p.Test)) {
					xy = append(xy, plotter.XY{X: math.Sqrt(float64(p.D) / float64(m)), Y: float64(p.Train - p.Test)})
				}
			}
			sort.Slice(xy, func(i, j int) bool { return xy[i].X < xy[j].X })
			s = append(s, Series{Name: r.Label + " " + r.Result.Task + " " + strings.ToUpper(r.Result.Method), XY: xy})
		}
		err = PlotLines("train-test gap against sqrt(d/m)", "sqrt(d / m)", "train - test score", false, false, s, png, svg)
		if err != nil && strings.Contains(err.Error(), "no data") {
			return nil
		}
	}
	return err
}

// pearson is the correlation of x and y (NaN for fewer than 3 points).
func pearson(x, y []float64) float64 {
	if len(x) < 3 {
		return math.NaN()
	}
	mx, _ := meanStd(x)
	my, _ := meanStd(y)
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx <= 1e-20 || syy <= 1e-20 { // a constant series (up to rounding)
		return math.NaN()
	}
	return sxy / math.Sqrt(sxx*syy)
}

// generalization writes, per sweep, every run's train and test score, the
// measured gap and sqrt(d/m), the complexity term of the compression bound
// L <= L_hat + O(sqrt(d/m)) (Arora et al. 2018, as used in the paper);
// and the correlation of the gap with sqrt(d/m) across the runs.
func generalization(b *strings.Builder, rows []StudyRow) {
	acrossSweeps(b, rows)
	for _, r := range rows {
		res := r.Result
		m := res.TrainSize
		fmt.Fprintf(b, "## %s: %s on %s, %s/%s (m = %d training examples)\n\n", r.Label, res.Model, res.Task, res.Method, res.Projector, m)
		fmt.Fprintf(b, "d90: %s. %s\n\n", d90Cell(res), res.D90Line())
		if res.Found && m > 0 {
			fmt.Fprintf(b, "At d90: sqrt(d90/m) = %.4f.\n\n", math.Sqrt(float64(res.D90)/float64(m)))
		}
		b.WriteString("| d | train | test | gap (train - test) | sqrt(d/m) |\n|---:|---:|---:|---:|---:|\n")
		var xs, ys []float64
		for _, p := range res.Points {
			gap := float64(p.Train - p.Test)
			x := math.NaN()
			if m > 0 {
				x = math.Sqrt(float64(p.D) / float64(m))
			}
			fmt.Fprintf(b, "| %d | %s | %s | %s | %.4f |\n", p.D, f4(p.Train), f4(p.Test), f4(Score(gap)), x)
			if !math.IsNaN(gap) && !math.IsNaN(x) {
				xs, ys = append(xs, x), append(ys, gap)
			}
		}
		fmt.Fprintf(b, "\nPearson correlation of the gap with sqrt(d/m) over %d d: %s. The bound predicts the gap grows at most like sqrt(d/m); the constant is not estimated.\n\n",
			len(xs), f4(Score(pearson(xs, ys))))
	}
}

// acrossSweeps writes the paper's comparison: one row per sweep with its
// d90, sqrt(d90/m) and the train-test gap of the runs at d90, and the rank
// (Spearman) and linear (Pearson) correlations of that gap with
// sqrt(d90/m) over the sweeps with a d90 (one whose smallest d already
// reached the threshold counts at that d, an upper bound; one without a
// d90 is listed but not counted).
func acrossSweeps(b *strings.Builder, rows []StudyRow) {
	b.WriteString("## Across sweeps: the gap at d90 against sqrt(d90/m)\n\n")
	b.WriteString("| sweep | task | m | d90 (bracket] | sqrt(d90/m) | train at d90 | test at d90 | gap at d90 |\n|---|---|---:|---|---:|---:|---:|---:|\n")
	var xs, ys []float64
	for _, r := range rows {
		res := r.Result
		x, train, test := math.NaN(), Score(math.NaN()), Score(math.NaN())
		if res.Found && res.TrainSize > 0 {
			x = math.Sqrt(float64(res.D90) / float64(res.TrainSize))
			for _, p := range res.Points {
				if p.D == res.D90 {
					train, test = p.Train, p.Test
				}
			}
		}
		gap := float64(train - test)
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %s | %s | %s |\n", r.Label, res.Task, res.TrainSize, d90Cell(res),
			f4(Score(x)), f4(train), f4(test), f4(Score(gap)))
		if !math.IsNaN(x) && !math.IsNaN(gap) {
			xs, ys = append(xs, x), append(ys, gap)
		}
	}
	fmt.Fprintf(b, "\nOver the %d sweeps with a d90, the gap at d90 against sqrt(d90/m): Spearman %s, Pearson %s "+
		"(the paper finds that a lower d90 goes with a smaller gap: both positive).\n\n", len(xs), f4(Score(spearman(xs, ys))), f4(Score(pearson(xs, ys))))
}

// spearman is data.Spearman (ties share their mean rank), NaN for fewer
// than 3 points like pearson.
func spearman(x, y []float64) float64 {
	if len(x) < 3 {
		return math.NaN()
	}
	return data.Spearman(x, y)
}

// ReadResult reads d90.json from a sweep directory.
func ReadResult(dir string) (Result, error) {
	var r Result
	b, err := os.ReadFile(filepath.Join(dir, "d90.json"))
	if err != nil {
		return r, err
	}
	return r, jsonUnmarshal(b, &r)
}
