package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Runner runs training runs for a sweep.
type Runner interface {
	// Identity is what the result of s depends on besides s itself: model
	// hash, task and split, the hyperparameters of s.Method. It is part of
	// the run's key, so it must not change between a sweep and its resume.
	Identity(s Spec) Identity
	// Run trains s and returns its scores. A run that diverges returns an
	// Outcome with Failed set and a nil error; an error stops the sweep.
	Run(ctx context.Context, s Spec) (Outcome, error)
}

// Chancer is a Runner that knows the dev score of always predicting the
// majority class; a sweep then says when the baseline is no better, which
// makes d90 meaningless.
type Chancer interface {
	Chance() float64
}

// Config describes a sweep.
type Config struct {
	// Method is did or said; Projector fastfood, fastfood-block, fastfood-split, dense or sparse.
	Method    string `json:"method"`
	Projector string `json:"projector"`
	// Grid is the d of the first phase (see LogGrid); values below MinD are
	// dropped.
	Grid []int `json:"grid"`
	MinD int   `json:"min_d,omitempty"`
	// LRs are the subspace learning rates tried at every d (the best on
	// dev is kept); BaselineLR is full fine-tuning's.
	LRs        []float64 `json:"lrs"`
	BaselineLR float64   `json:"baseline_lr"`
	// LRRef > 0 scales every learning rate with d: at d the sweep runs
	// ScaleLR(lr, d, LRRef) = lr * sqrt(LRRef/d) for each lr of LRs. Adam
	// moves each coordinate of theta_d by about lr per step, so the
	// weights move by about lr*sqrt(d); the scaling keeps that step the
	// same at every d. 0: the same rates at every d.
	LRRef int `json:"lr_ref,omitempty"`
	// Seeds are run at every (d, lr); BaselineSeeds for the baseline
	// (default Seeds).
	Seeds         []uint64 `json:"seeds"`
	BaselineSeeds []uint64 `json:"baseline_seeds"`
	// Fraction of the baseline's dev score that defines d90 (default 0.9).
	Fraction float64 `json:"fraction"`
	// Resolution of the bisection (default ratio 1.25); NoBisect stops
	// after the grid. MaxBisect bounds the number of bisection steps
	// (default 20).
	Resolution Resolution `json:"resolution"`
	NoBisect   bool       `json:"no_bisect,omitempty"`
	MaxBisect  int        `json:"max_bisect,omitempty"`
	// StopAtReach ends the grid phase at the first d (ascending) whose
	// score reaches the threshold. d90, its bracket and the bisection are
	// the same as with the whole grid (d90 is the smallest d that reaches
	// the threshold, and the bracket's lower end is the largest d below
	// it), only the larger grid d are not run, so the report's curve
	// stops at d90. Not with Shard, whose shares run independently.
	StopAtReach bool `json:"stop_at_reach,omitempty"`
	// ReportOnly runs nothing: the report is written from the runs that
	// have finished (a grid point still missing a run is left out), and
	// its How says how many runs of the grid are missing.
	ReportOnly bool `json:"-"`

	// Dir receives results.jsonl (or results.shard-I-of-N.jsonl), and
	// the report (d90.json, table.md, plot.png, plot.svg).
	Dir string `json:"-"`
	// CacheDir keeps baselines across sweeps (one JSON file per key);
	// "" caches only in the results file.
	CacheDir string `json:"-"`
	// Shard runs one share of the grid phase only (N = 0: everything).
	Shard Shard `json:"-"`
	// Progress receives a progress bar and one line per finished run
	// (nil: nothing); Log receives warnings (nil: Progress).
	Progress io.Writer `json:"-"`
	Log      io.Writer `json:"-"`
}

// LogGrid returns about perDecade log-spaced integers from lo to hi, both
// included, rounded and deduplicated.
func LogGrid(lo, hi int, perDecade float64) []int {
	if lo < 1 {
		lo = 1
	}
	if hi < lo {
		return nil
	}
	if perDecade <= 0 {
		perDecade = 3
	}
	n := int(math.Ceil(math.Log10(float64(hi)/float64(lo))*perDecade)) + 1
	var out []int
	for i := 0; i < n; i++ {
		v := lo
		if n > 1 {
			v = int(math.Round(float64(lo) * math.Pow(float64(hi)/float64(lo), float64(i)/float64(n-1))))
		}
		if len(out) == 0 || v > out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// LogGridFrom is LogGrid(lo, hi, perDecade) for a method whose smallest d
// is minD (SAID's is its number of tensors plus one): the grid d below minD
// are dropped and minD is tried in their place, unless the first d kept is
// within half a grid step of it. The other d stay on LogGrid(lo, hi, ...),
// so sweeps of models with different minD share their d (100, 316, 1000,
// ... with two per decade) and their tables line up.
func LogGridFrom(lo, hi int, perDecade float64, minD int) []int {
	g := LogGrid(lo, hi, perDecade)
	if len(g) == 0 || minD <= g[0] {
		return g
	}
	if perDecade <= 0 {
		perDecade = 3
	}
	halfStep := math.Pow(10, 0.5/perDecade)
	var out []int
	for _, d := range g {
		if d >= minD {
			out = append(out, d)
		}
	}
	if len(out) == 0 || float64(out[0]) > float64(minD)*halfStep {
		out = append([]int{minD}, out...)
	}
	return out
}

// Resolved returns c with defaults filled in, or an error naming a bad
// field.
func (c Config) Resolved() (Config, error) {
	c.Method = strings.ToLower(c.Method)
	if c.Method != "did" && c.Method != "said" {
		return c, fmt.Errorf("bench: method %q: want did or said", c.Method)
	}
	if c.Projector == "" {
		c.Projector = "fastfood"
	}
	if c.Fraction == 0 {
		c.Fraction = 0.9
	}
	if c.Fraction <= 0 || c.Fraction > 1 {
		return c, fmt.Errorf("bench: fraction %g: want (0, 1]", c.Fraction)
	}
	if c.Resolution.Ratio == 0 && c.Resolution.Abs == 0 {
		c.Resolution.Ratio = 1.25
	}
	if c.Resolution.Ratio != 0 && c.Resolution.Ratio <= 1 {
		return c, fmt.Errorf("bench: resolution ratio %g: want > 1", c.Resolution.Ratio)
	}
	if c.MaxBisect == 0 {
		c.MaxBisect = 20
	}
	var g []int
	for _, d := range c.Grid {
		if d >= max(c.MinD, 1) {
			g = append(g, d)
		}
	}
	sort.Ints(g)
	c.Grid = dedupe(g)
	if len(c.Grid) == 0 {
		return c, fmt.Errorf("bench: the grid has no d >= %d", max(c.MinD, 1))
	}
	if len(c.LRs) == 0 {
		return c, fmt.Errorf("bench: no learning rates")
	}
	if c.LRRef < 0 {
		return c, fmt.Errorf("bench: lr_ref %d: want >= 0", c.LRRef)
	}
	if len(c.Seeds) == 0 {
		c.Seeds = []uint64{1}
	}
	if len(c.BaselineSeeds) == 0 {
		c.BaselineSeeds = c.Seeds
	}
	if c.Dir == "" {
		return c, fmt.Errorf("bench: no output directory")
	}
	if c.StopAtReach && c.Shard.N > 0 {
		return c, fmt.Errorf("bench: stopping the grid at the first d that reaches the threshold needs the grid run in order: not with --shard %s", c.Shard)
	}
	if c.Log == nil {
		c.Log = c.Progress
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c, nil
}

func dedupe(v []int) []int {
	var out []int
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// Filter is the record filter that matches this sweep.
func (c Config) Filter() Filter {
	return Filter{Method: c.Method, Projector: c.Projector, LRs: c.LRs, Seeds: c.Seeds, LRRef: c.LRRef,
		BaselineLR: c.BaselineLR, BaselineSeeds: c.BaselineSeeds, Complete: true}
}

// baselineSpecs and gridSpecs list the runs of the grid phase in their
// fixed order (which sharding deals round-robin).
func (c Config) baselineSpecs() []Spec {
	var out []Spec
	for _, s := range c.BaselineSeeds {
		out = append(out, Spec{Kind: KindBaseline, Method: "full", LR: c.BaselineLR, Seed: s})
	}
	return out
}

func (c Config) dSpecs(d int) []Spec {
	var out []Spec
	for _, lr := range c.LRs {
		for _, s := range c.Seeds {
			sp := Spec{Kind: KindSubspace, Method: c.Method, Projector: c.Projector, D: d, LR: lr, Seed: s}
			if c.LRRef > 0 {
				sp.LR, sp.LRGrid = ScaleLR(lr, d, c.LRRef), lr
			}
			out = append(out, sp)
		}
	}
	return out
}

// GridSpecs is every run of the grid phase in order: baselines, then d
// ascending, learning rate, seed.
func (c Config) GridSpecs() []Spec {
	out := c.baselineSpecs()
	for _, d := range c.Grid {
		out = append(out, c.dSpecs(d)...)
	}
	return out
}

// Shard is one of N shares of a sweep's grid: the I-th (0-based).
type Shard struct{ I, N int }

func (s Shard) String() string {
	if s.N == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// Owns reports whether the k-th grid run (in GridSpecs order) belongs to
// the shard: k mod N == I.
func (s Shard) Owns(k int) bool { return s.N == 0 || k%s.N == s.I }

// ParseShard reads "I/N" (0 <= I < N), or "auto" / "auto/N": I from
// JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or SLURM_ARRAY_TASK_ID
// minus SLURM_ARRAY_TASK_MIN (Slurm array), N from /N, else
// SLURM_ARRAY_TASK_COUNT or IDIM_SHARDS. getenv is os.Getenv in the CLI.
func ParseShard(v string, getenv func(string) string) (Shard, error) {
	if v == "" {
		return Shard{}, nil
	}
	a, b, hasN := strings.Cut(v, "/")
	var s Shard
	var err error
	if hasN {
		if s.N, err = strconv.Atoi(b); err != nil {
			return s, fmt.Errorf("--shard %q: N %q is not a number", v, b)
		}
	}
	if a == "auto" {
		switch {
		case getenv("JOB_COMPLETION_INDEX") != "":
			if s.I, err = strconv.Atoi(getenv("JOB_COMPLETION_INDEX")); err != nil {
				return s, fmt.Errorf("--shard auto: JOB_COMPLETION_INDEX=%q", getenv("JOB_COMPLETION_INDEX"))
			}
		case getenv("SLURM_ARRAY_TASK_ID") != "":
			id, err := strconv.Atoi(getenv("SLURM_ARRAY_TASK_ID"))
			if err != nil {
				return s, fmt.Errorf("--shard auto: SLURM_ARRAY_TASK_ID=%q", getenv("SLURM_ARRAY_TASK_ID"))
			}
			lo, _ := strconv.Atoi(getenv("SLURM_ARRAY_TASK_MIN"))
			s.I = id - lo
		default:
			return s, fmt.Errorf("--shard auto: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set")
		}
		if !hasN {
			for _, k := range []string{"SLURM_ARRAY_TASK_COUNT", "IDIM_SHARDS"} {
				if e := getenv(k); e != "" {
					if s.N, err = strconv.Atoi(e); err != nil {
						return s, fmt.Errorf("--shard auto: %s=%q", k, e)
					}
					break
				}
			}
			if s.N == 0 {
				return s, fmt.Errorf("--shard auto: the shard count is unknown: use --shard auto/N or set IDIM_SHARDS")
			}
		}
	} else {
		if !hasN {
			return s, fmt.Errorf("--shard %q: want I/N or auto", v)
		}
		if s.I, err = strconv.Atoi(a); err != nil {
			return s, fmt.Errorf("--shard %q: I %q is not a number", v, a)
		}
	}
	if s.N < 1 || s.I < 0 || s.I >= s.N {
		return s, fmt.Errorf("--shard %q: want 0 <= I < N, got %d/%d", v, s.I, s.N)
	}
	return s, nil
}

// ResultsFile is the results file a sweep with this shard writes in dir.
func ResultsFile(dir string, s Shard) string {
	if s.N == 0 {
		return filepath.Join(dir, "results.jsonl")
	}
	return filepath.Join(dir, fmt.Sprintf("results.shard-%d-of-%d.jsonl", s.I, s.N))
}

// Sweep runs (or resumes) a sweep and returns its analysis. Unsharded, it
// also bisects and writes the report into c.Dir. A sharded sweep runs its
// share of the grid and returns the partial analysis of its own records.
func Sweep(ctx context.Context, r Runner, c Config) (Result, error) {
	c, err := c.Resolved()
	if err != nil {
		return Result{}, err
	}
	if c.ReportOnly {
		// Nothing is created or rewritten but the report.
		if _, err := os.Stat(ResultsFile(c.Dir, c.Shard)); err != nil {
			return Result{}, fmt.Errorf("bench: report only: no results yet: %w", err)
		}
	} else {
		if err := os.MkdirAll(c.Dir, 0o755); err != nil {
			return Result{}, err
		}
		if b, err := json.MarshalIndent(c, "", "  "); err == nil {
			name := "sweep.json"
			if c.Shard.N > 0 {
				name = fmt.Sprintf("sweep.shard-%d-of-%d.json", c.Shard.I, c.Shard.N)
			}
			_ = os.WriteFile(filepath.Join(c.Dir, name), append(b, '\n'), 0o644)
		}
	}
	st, err := OpenStore(ResultsFile(c.Dir, c.Shard))
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	for _, w := range st.Warnings {
		fmt.Fprintln(c.Log, "bench: warning:", w)
	}
	s := &sweeper{r: r, c: c, st: st, start: time.Now()}
	// Only this runner's records count (a results file may also hold runs
	// of other weights or hyperparameters).
	filter := c.Filter()
	filter.Keep = func(rec Record) bool { return rec.Key == Key(r.Identity(rec.Spec), rec.Spec) }
	var todo []Spec
	for k, sp := range c.GridSpecs() {
		if c.Shard.Owns(k) {
			todo = append(todo, sp)
		}
	}
	s.total = len(todo)
	skipped := 0 // grid d above the first that reached (StopAtReach)
	for i := 0; i < len(todo); i++ {
		sp := todo[i]
		if err := s.do(ctx, sp, "grid"); err != nil {
			return Result{}, err
		}
		last := i == len(todo)-1 || todo[i+1].D != sp.D
		if c.StopAtReach && sp.Kind == KindSubspace && last {
			if a := Analyze(st.Records(), filter, c.Fraction); a.Found && a.Hi <= sp.D {
				// Larger d with runs missing (a resumed whole grid has none).
				notRun := map[int]bool{}
				for _, rest := range todo[i+1:] {
					if _, ok := st.Get(Key(r.Identity(rest), rest)); !ok {
						notRun[rest.D] = true
					}
				}
				skipped = len(notRun)
				s.total -= len(todo) - 1 - i
				break
			}
		}
	}
	s.endLine()
	if c.Shard.N > 0 {
		f := filter
		f.Complete = false
		res := Analyze(st.Records(), f, c.Fraction)
		setChance(&res, r)
		return res, nil
	}
	res := Analyze(st.Records(), filter, c.Fraction)
	if !c.NoBisect {
		// Bisection steps already taken (a resumed sweep counts them, so
		// MaxBisect bounds the whole sweep, not each invocation).
		steps := func() int {
			n := 0
			for _, p := range res.Points {
				if p.Phase == "bisect" {
					n++
				}
			}
			return n
		}
		for !c.ReportOnly && res.Found && res.Lo > 0 && !c.Resolution.Done(res.Lo, res.Hi) && steps() < c.MaxBisect {
			mid := Mid(res.Lo, res.Hi)
			s.total += len(c.dSpecs(mid))
			for _, sp := range c.dSpecs(mid) {
				if err := s.do(ctx, sp, "bisect"); err != nil {
					return Result{}, err
				}
			}
			res = Analyze(st.Records(), filter, c.Fraction)
		}
		s.endLine()
		if res.Found && res.Lo > 0 {
			switch {
			case c.Resolution.Done(res.Lo, res.Hi):
				res.How = fmt.Sprintf("log grid of %d d, then bisection to %s: d90 in (%d, %d]", len(c.Grid), c.Resolution, res.Lo, res.Hi)
			case c.ReportOnly && steps() < c.MaxBisect:
				res.How = fmt.Sprintf("log grid of %d d, bisection to %s not finished (report only): d90 in (%d, %d]", len(c.Grid), c.Resolution, res.Lo, res.Hi)
				res.BisectUnfinished = true
			default:
				res.How = fmt.Sprintf("log grid of %d d, then %d bisection steps (limit reached before %s): d90 in (%d, %d]", len(c.Grid), c.MaxBisect, c.Resolution, res.Lo, res.Hi)
			}
		}
	}
	if skipped > 0 {
		res.How += fmt.Sprintf(" (grid stopped at the first d that reached the threshold: %d larger grid d not run)", skipped)
	}
	if s.missing > 0 {
		res.Missing = s.missing
		res.How += fmt.Sprintf(" (report only: %d runs of the grid not run yet)", s.missing)
	}
	setChance(&res, r)
	if err := WriteReport(c.Dir, res); err != nil {
		return res, err
	}
	return res, nil
}

// sweeper runs the specs of one sweep, skipping finished keys.
type sweeper struct {
	r     Runner
	c     Config
	st    *Store
	start time.Time
	total int
	done  int
	ran   int
	bar   bool
	// missing counts the runs a ReportOnly sweep did not run.
	missing int
}

func (s *sweeper) do(ctx context.Context, sp Spec, phase string) error {
	id := s.r.Identity(sp)
	key := Key(id, sp)
	s.done++
	if _, ok := s.st.Get(key); ok {
		return nil
	}
	if s.c.ReportOnly {
		s.missing++
		return nil
	}
	if sp.Kind == KindBaseline {
		if rec, ok := s.cached(key); ok {
			s.logf("%s: from the baseline cache (dev %.4f)", sp, float64(rec.Dev))
			return s.st.Append(rec)
		}
		phase = KindBaseline
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.progress(sp)
	t0 := time.Now()
	out, err := s.r.Run(ctx, sp)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("bench: %s: %w", sp, err)
	}
	if out.Seconds == 0 {
		out.Seconds = time.Since(t0).Seconds()
	}
	s.ran++
	rec := Record{Key: key, Identity: id, Spec: sp, Outcome: out, Phase: phase, Shard: s.c.Shard.String(),
		Time: time.Now().UTC().Format(time.RFC3339)}
	if err := s.st.Append(rec); err != nil {
		return err
	}
	if sp.Kind == KindBaseline {
		s.cache(rec)
	}
	if out.Failed {
		s.logf("%s: FAILED (%s); recorded, the sweep goes on", sp, out.Error)
	} else {
		s.logf("%s: dev %.4f test %.4f (%.1fs)", sp, float64(out.Dev), float64(out.Test), out.Seconds)
	}
	return nil
}

func (s *sweeper) cached(key string) (Record, bool) {
	if s.c.CacheDir == "" {
		return Record{}, false
	}
	b, err := os.ReadFile(filepath.Join(s.c.CacheDir, "baseline-"+key+".json"))
	if err != nil {
		return Record{}, false
	}
	var r Record
	if json.Unmarshal(b, &r) != nil || r.Key != key {
		return Record{}, false
	}
	return r, true
}

func (s *sweeper) cache(r Record) {
	if s.c.CacheDir == "" || r.Failed {
		return
	}
	if err := writeFileAtomic(filepath.Join(s.c.CacheDir, "baseline-"+r.Key+".json"), mustJSON(r)); err != nil {
		fmt.Fprintln(s.c.Log, "bench: warning: baseline cache:", err)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

// writeFileAtomic writes through a temporary file, fsync and rename.
func writeFileAtomic(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress draws the bar before a run starts: runs done of the total
// known so far, elapsed time and an estimate of the time left.
func (s *sweeper) progress(sp Spec) {
	if s.c.Progress == nil {
		return
	}
	el := time.Since(s.start)
	eta := "?"
	if s.ran > 0 {
		left := time.Duration(float64(el) / float64(s.ran) * float64(s.total-s.done+1))
		eta = left.Round(time.Second).String()
	}
	const w = 24
	fill := w * (s.done - 1) / max(s.total, 1)
	bar := strings.Repeat("#", fill) + strings.Repeat(".", w-fill)
	line := fmt.Sprintf("[%s] %d/%d %s  %s elapsed, ~%s left", bar, s.done, s.total, sp, el.Round(time.Second), eta)
	if isTerminal(s.c.Progress) {
		fmt.Fprintf(s.c.Progress, "\r\033[K%s", line)
		s.bar = true
	} else {
		fmt.Fprintln(s.c.Progress, line)
	}
}

func (s *sweeper) endLine() {
	if s.bar {
		fmt.Fprintln(s.c.Progress)
		s.bar = false
	}
}

func (s *sweeper) logf(format string, a ...any) {
	if s.c.Progress == nil {
		return
	}
	if s.bar {
		fmt.Fprint(s.c.Progress, "\r\033[K")
		s.bar = false
	}
	fmt.Fprintf(s.c.Progress, "  "+format+"\n", a...)
}

// ErrNoRecords is returned by Merge when the inputs hold no record.
var ErrNoRecords = errors.New("bench: no records in the inputs")

func setChance(res *Result, r Runner) {
	if ch, ok := r.(Chancer); ok {
		res.Chance = Score(ch.Chance())
	}
}

// ScaleLR is lr * sqrt(ref/d), rounded to 4 significant digits (so that
// the value, and the run's key, are the same on every platform).
func ScaleLR(lr float64, d, ref int) float64 {
	v := lr * math.Sqrt(float64(ref)/float64(d))
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	return r
}
