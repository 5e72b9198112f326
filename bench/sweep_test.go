package bench

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func synth() *Synthetic {
	return &Synthetic{Base: 0.9, D0: 300, Noise: 0.005, Gap: 0.02, BestLR: 0.01}
}

func testConfig(dir string) Config {
	return Config{Method: "said", Projector: "fastfood", Grid: LogGrid(10, 10000, 2), LRs: []float64{0.003, 0.01},
		BaselineLR: 1e-4, Seeds: []uint64{1, 2}, Resolution: Resolution{Ratio: 1.1}, Dir: dir}
}

// trueD90 is the smallest integer d whose noiseless score is >= thr.
func trueD90(s *Synthetic, thr float64) int {
	for d := 1; ; d++ {
		if s.Score(d, s.BestLR) >= thr {
			return d
		}
	}
}

func TestSweepFindsD90(t *testing.T) {
	dir := t.TempDir()
	s := synth()
	res, err := Sweep(context.Background(), s, testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.Lo == 0 {
		t.Fatalf("not bracketed: %+v", res)
	}
	if float64(res.Hi)/float64(res.Lo) > 1.1 && res.Hi-res.Lo > 1 {
		t.Errorf("bracket (%d, %d] wider than the resolution", res.Lo, res.Hi)
	}
	// Every evaluated point agrees with the bracket: all d < Hi below,
	// Hi above.
	for _, p := range res.Points {
		if p.D < res.D90 && p.Above || p.D == res.D90 && !p.Above {
			t.Errorf("point %d above=%v contradicts d90 %d", p.D, p.Above, res.D90)
		}
		if p.LR != 0.01 {
			t.Errorf("d=%d: chose lr %g, want 0.01 (best by construction)", p.D, p.LR)
		}
	}
	// The noise is small: d90 is within a few percent of the noiseless one.
	want := trueD90(s, float64(res.Threshold))
	if math.Abs(float64(res.D90-want))/float64(want) > 0.15 {
		t.Errorf("d90 = %d, noiseless %d", res.D90, want)
	}
	// Runs: baselines + (grid + bisection points) x lrs x seeds.
	if n := int(s.Count.Load()); n != 2+len(res.Points)*4 || res.Runs != n {
		t.Errorf("%d runs (result says %d) for %d points", n, res.Runs, len(res.Points))
	}
	for _, f := range []string{"d90.json", "table.md", "plot.png", "plot.svg", "results.jsonl", "sweep.json"} {
		if !exists(filepath.Join(dir, f)) {
			t.Errorf("%s not written", f)
		}
	}
	png, _ := os.ReadFile(filepath.Join(dir, "plot.png"))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Error("plot.png is not a PNG")
	}
	svg, _ := os.ReadFile(filepath.Join(dir, "plot.svg"))
	if !bytes.Contains(svg, []byte("<svg")) || !bytes.Contains(svg, []byte(fmt.Sprintf("d90 = %d", res.D90))) {
		t.Error("plot.svg lacks the svg element or the d90 label")
	}
	tab, _ := os.ReadFile(filepath.Join(dir, "table.md"))
	if !strings.Contains(string(tab), "**d90**") {
		t.Errorf("table.md does not mark d90:\n%s", tab)
	}

	// A second sweep with the same arguments runs nothing and agrees.
	s2 := synth()
	res2, err := Sweep(context.Background(), s2, testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if s2.Count.Load() != 0 || res2.D90 != res.D90 || res2.Lo != res.Lo {
		t.Errorf("rerun: %d runs, d90 %d (%d, %d], want 0 runs, %d (%d, %d]", s2.Count.Load(), res2.D90, res2.Lo, res2.Hi, res.D90, res.Lo, res.Hi)
	}
}

func TestSweepEdgeCases(t *testing.T) {
	// Every d above: d90 <= the smallest d.
	s := synth()
	c := testConfig(t.TempDir())
	c.Grid = []int{3000, 10000}
	res, err := Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Found || res.D90 != 3000 || res.Lo != 0 || !strings.Contains(res.D90Line(), "d90 <= 3000") {
		t.Errorf("all above: %s", res.D90Line())
	}
	// Every d below: not found, no bisection.
	s = synth()
	c = testConfig(t.TempDir())
	c.Grid = []int{10, 30}
	res, err = Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if res.Found || res.Hi != 30 || !strings.Contains(res.D90Line(), "d90 > 30") || s.Count.Load() != 2+2*4 {
		t.Errorf("all below: %s (%d runs)", res.D90Line(), s.Count.Load())
	}
	// Divergence at the high lr: recorded as failed, the sweep goes on
	// with the other lr.
	s = synth()
	s.Diverge = 0.01
	c = testConfig(t.TempDir())
	res, err = Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Points {
		if p.LR != 0.003 || p.PerLR["0.01"] == p.PerLR["0.01"] {
			t.Errorf("d=%d: lr %g per-lr %v: the diverged lr should be NaN and not chosen", p.D, p.LR, p.PerLR)
		}
	}
	recs, _, _ := ReadRecords(filepath.Join(c.Dir, "results.jsonl"))
	failed := 0
	for _, r := range recs {
		if r.Failed {
			failed++
			if !strings.Contains(r.Error, "NaN") {
				t.Errorf("failed record without reason: %+v", r)
			}
		}
	}
	if failed == 0 {
		t.Error("no failed records")
	}
	// Bad input is an error.
	c.Method = "lora"
	if _, err := Sweep(context.Background(), s, c); err == nil || !strings.Contains(err.Error(), "lora") {
		t.Errorf("bad method: %v", err)
	}
}

func TestTruncatedLastLine(t *testing.T) {
	dir := t.TempDir()
	s := synth()
	res, err := Sweep(context.Background(), s, testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "results.jsonl")
	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	// Cut the last record in half, as a kill during the write would.
	last := lines[len(lines)-1]
	cut := strings.Join(lines[:len(lines)-1], "") + last[:len(last)/2]
	if err := os.WriteFile(path, []byte(cut), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	c := testConfig(dir)
	c.Log = &log
	s2 := synth()
	res2, err := Sweep(context.Background(), s2, c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "warning") || !strings.Contains(log.String(), fmt.Sprintf("results.jsonl:%d", len(lines))) {
		t.Errorf("no warning naming the line: %q", log.String())
	}
	if s2.Count.Load() != 1 {
		t.Errorf("redid %d runs, want exactly the truncated one", s2.Count.Load())
	}
	if res2.D90 != res.D90 || res2.Lo != res.Lo {
		t.Errorf("d90 %d (%d, %d] after repair, want %d (%d, %d]", res2.D90, res2.Lo, res2.Hi, res.D90, res.Lo, res.Hi)
	}
	// The file is readable again, with one broken line left on its own.
	recs, warn, err := ReadRecords(path)
	if err != nil || len(warn) != 1 || len(recs) != len(lines) {
		t.Errorf("after repair: %d records, warnings %v, err %v (want %d, 1)", len(recs), warn, err, len(lines))
	}
}

func TestBaselineCache(t *testing.T) {
	cache := t.TempDir()
	c := testConfig(t.TempDir())
	c.CacheDir = cache
	c.Grid = []int{10, 30}
	s := synth()
	if _, err := Sweep(context.Background(), s, c); err != nil {
		t.Fatal(err)
	}
	c.Dir = t.TempDir()
	c.Grid = []int{100}
	s2 := synth()
	res, err := Sweep(context.Background(), s2, c)
	if err != nil {
		t.Fatal(err)
	}
	if s2.Count.Load() != 4 || res.BaselineRuns != 2 {
		t.Errorf("a new sweep with a cached baseline ran %d runs (want 4: no baseline), baseline runs %d", s2.Count.Load(), res.BaselineRuns)
	}
}

func TestParseShard(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, c := range []struct {
		v    string
		env  map[string]string
		want Shard
		err  bool
	}{
		{"", nil, Shard{}, false},
		{"1/4", nil, Shard{1, 4}, false},
		{"4/4", nil, Shard{}, true},
		{"-1/4", nil, Shard{}, true},
		{"x/4", nil, Shard{}, true},
		{"3", nil, Shard{}, true},
		{"auto/3", map[string]string{"JOB_COMPLETION_INDEX": "2"}, Shard{2, 3}, false},
		{"auto", map[string]string{"JOB_COMPLETION_INDEX": "2", "IDIM_SHARDS": "5"}, Shard{2, 5}, false},
		{"auto", map[string]string{"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard{3, 4}, false},
		{"auto", map[string]string{"JOB_COMPLETION_INDEX": "2"}, Shard{}, true},
		{"auto", nil, Shard{}, true},
	} {
		got, err := ParseShard(c.v, env(c.env))
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseShard(%q, %v) = %v, %v; want %v, err %v", c.v, c.env, got, err, c.want, c.err)
		}
	}
	// Shards partition the grid.
	c := testConfig("x")
	c, _ = c.Resolved()
	n := len(c.GridSpecs())
	for _, N := range []int{1, 2, 3, 7} {
		seen := 0
		for k := 0; k < n; k++ {
			owners := 0
			for i := 0; i < N; i++ {
				if (Shard{i, N}).Owns(k) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("N=%d: run %d has %d owners", N, k, owners)
			}
			seen++
		}
		if seen != n {
			t.Fatal("not every run owned")
		}
	}
}

// The helper process: runs a sweep from the environment. Used by the kill
// and shard tests (a real process that can be killed with SIGKILL).
func TestMain(m *testing.M) {
	if dir := os.Getenv("IDIM_BENCH_HELPER_DIR"); dir != "" {
		s := synth()
		s.Delay, _ = time.ParseDuration(os.Getenv("IDIM_BENCH_HELPER_DELAY"))
		s.LogFile = os.Getenv("IDIM_BENCH_HELPER_LOG")
		c := testConfig(dir)
		sh, err := ParseShard(os.Getenv("IDIM_BENCH_HELPER_SHARD"), os.Getenv)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		c.Shard = sh
		if _, err := Sweep(context.Background(), s, c); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helper(t *testing.T, dir, delay, log, shard string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "IDIM_BENCH_HELPER_DIR="+dir, "IDIM_BENCH_HELPER_DELAY="+delay,
		"IDIM_BENCH_HELPER_LOG="+log, "IDIM_BENCH_HELPER_SHARD="+shard)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	t.Cleanup(func() {
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("helper stderr: %s", stderr.String())
		}
	})
	return cmd
}

func readLog(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var keys []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if k, _, ok := strings.Cut(l, " "); ok {
			keys = append(keys, k)
		}
	}
	return keys
}

// TestKillAndResume kills a sweep with SIGKILL in the middle, resumes it
// and checks that no finished run is redone and that d90 equals an
// uninterrupted sweep's.
func TestKillAndResume(t *testing.T) {
	ref := synth()
	want, err := Sweep(context.Background(), ref, testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	total := int(ref.Count.Load())

	dir := t.TempDir()
	log := filepath.Join(dir, "runs.log")
	cmd := helper(t, dir, "20ms", log, "")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "results.jsonl")
	deadline := time.Now().Add(20 * time.Second)
	for {
		recs, _, _ := ReadRecords(path)
		if len(recs) >= total/2 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the helper wrote %d records in 20s", len(recs))
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	cmd.Wait()
	before, _, _ := ReadRecords(path)
	finished := map[string]bool{}
	for _, r := range before {
		finished[r.Key] = true
	}
	if len(before) >= total {
		t.Fatalf("the helper finished (%d records) before the kill", len(before))
	}
	// Resume in a second process, logging the runs it starts.
	log2 := filepath.Join(dir, "runs2.log")
	cmd = helper(t, dir, "0s", log2, "")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	redone := 0
	ran := readLog(t, log2)
	for _, k := range ran {
		if finished[k] {
			redone++
		}
	}
	if redone != 0 {
		t.Errorf("%d finished runs were redone after the kill", redone)
	}
	after, _, _ := ReadRecords(path)
	if len(after) != total {
		t.Errorf("%d records after resume, an uninterrupted sweep has %d", len(after), total)
	}
	// The killed run (started, never recorded) is the only one run twice.
	first := readLog(t, log)
	if len(first)+len(ran) > total+1 {
		t.Errorf("%d + %d runs started for %d points: more than the one cut by the kill was repeated", len(first), len(ran), total)
	}
	got := Analyze(after, func() Filter { c, _ := testConfig(dir).Resolved(); return c.Filter() }(), 0.9)
	if got.D90 != want.D90 || got.Lo != want.Lo || got.Hi != want.Hi {
		t.Errorf("resumed d90 %d (%d, %d], uninterrupted %d (%d, %d]", got.D90, got.Lo, got.Hi, want.D90, want.Lo, want.Hi)
	}
}

// TestShardsAndMerge runs two shards as separate processes, merges them,
// then bisects in the merged directory, and compares with an unsharded
// sweep.
func TestShardsAndMerge(t *testing.T) {
	ref := synth()
	want, err := Sweep(context.Background(), ref, testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for i := 0; i < 2; i++ {
		shard := "auto/2"
		cmd := helper(t, dir, "1ms", filepath.Join(dir, fmt.Sprintf("log%d", i)), shard)
		cmd.Env = append(cmd.Env, fmt.Sprintf("JOB_COMPLETION_INDEX=%d", i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := testConfig(dir).Resolved()
	grid := len(c.GridSpecs())
	l0, l1 := readLog(t, filepath.Join(dir, "log0")), readLog(t, filepath.Join(dir, "log1"))
	if len(l0)+len(l1) != grid || len(l0) != (grid+1)/2 {
		t.Errorf("shards ran %d + %d runs of a %d-run grid", len(l0), len(l1), grid)
	}
	files := []string{ResultsFile(dir, Shard{0, 2}), ResultsFile(dir, Shard{1, 2})}
	merged := t.TempDir()
	rep, err := Merge(merged, append(files, files[0]), 0.9) // shard 0 twice: duplicates, no conflict
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != grid || rep.Duplicates != len(l0) || len(rep.Conflicts) != 0 || len(rep.Results) != 1 {
		t.Fatalf("merge: %+v", rep)
	}
	if !strings.Contains(rep.Results[0].How, "bisect") {
		t.Errorf("merge How does not say bisection is a second phase: %q", rep.Results[0].How)
	}
	// Phase 2: the unsharded sweep in the merged directory only bisects.
	s := synth()
	cm := testConfig(merged)
	res, err := Sweep(context.Background(), s, cm)
	if err != nil {
		t.Fatal(err)
	}
	if int(s.Count.Load()) != int(ref.Count.Load())-grid {
		t.Errorf("phase 2 ran %d runs, want %d (the bisection only)", s.Count.Load(), int(ref.Count.Load())-grid)
	}
	if res.D90 != want.D90 || res.Lo != want.Lo {
		t.Errorf("sharded d90 %d (%d, %d], unsharded %d (%d, %d]", res.D90, res.Lo, res.Hi, want.D90, want.Lo, want.Hi)
	}
	// A conflicting record is reported and the first kept.
	recs, _, _ := ReadRecords(files[1])
	bad := recs[0]
	bad.Dev += 0.5
	badFile := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(badFile, mustLine(bad), 0o644)
	rep, err = Merge(t.TempDir(), []string{files[1], badFile}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Conflicts) != 1 || !strings.Contains(rep.Conflicts[0], bad.Key) {
		t.Errorf("conflicts %v", rep.Conflicts)
	}
	if _, err := Merge(t.TempDir(), []string{filepath.Join(dir, "missing.jsonl")}, 0.9); err == nil {
		t.Error("merging a missing file is not an error")
	}
}

func TestChanceWarning(t *testing.T) {
	s := synth()
	s.ChanceDev = 0.89 // the baseline (0.9 ± noise) is within 0.02
	c := testConfig(t.TempDir())
	c.Grid = []int{10, 10000}
	c.NoBisect = true
	res, err := Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if !res.AtChance() || !strings.Contains(res.D90Line(), "WARNING") || !strings.Contains(res.Table(), "majority class") {
		t.Errorf("no chance warning: %s\n%s", res.D90Line(), res.Table())
	}
	s.ChanceDev = 0.5
	res, _ = Sweep(context.Background(), s, c)
	if res.AtChance() || strings.Contains(res.D90Line(), "WARNING") {
		t.Errorf("warning at a baseline well above chance: %s", res.D90Line())
	}
}

// TestMaxBisectAcrossResume: the bisection limit counts the steps of
// earlier invocations.
func TestMaxBisectAcrossResume(t *testing.T) {
	dir := t.TempDir()
	c := testConfig(dir)
	c.MaxBisect = 2
	res, err := Sweep(context.Background(), synth(), c)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range res.Points {
		if p.Phase == "bisect" {
			n++
		}
	}
	if n != 2 || !strings.Contains(res.How, "limit") {
		t.Fatalf("%d bisection points, how %q", n, res.How)
	}
	s := synth()
	res2, err := Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count.Load() != 0 || res2.Lo != res.Lo || res2.Hi != res.Hi {
		t.Errorf("rerun with the limit reached ran %d runs, bracket (%d, %d] vs (%d, %d]", s.Count.Load(), res2.Lo, res2.Hi, res.Lo, res.Hi)
	}
}

// TestOtherModelsRecordsIgnored: a results file that also holds runs of
// other weights (same d, lr, seed) does not mix them into the analysis.
func TestOtherModelsRecordsIgnored(t *testing.T) {
	dir := t.TempDir()
	other := synth()
	other.Base = 0.5 // another model: low scores everywhere
	if _, err := Sweep(context.Background(), other, testConfig(dir)); err != nil {
		t.Fatal(err)
	}
	want, err := Sweep(context.Background(), synth(), testConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	s := synth()
	got, err := Sweep(context.Background(), s, testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if got.D90 != want.D90 || got.Lo != want.Lo || got.Baseline != want.Baseline || got.Runs != want.Runs {
		t.Errorf("with another model's records: d90 %d (%d, %d] baseline %v runs %d; alone %d (%d, %d] %v %d",
			got.D90, got.Lo, got.Hi, got.Baseline, got.Runs, want.D90, want.Lo, want.Hi, want.Baseline, want.Runs)
	}
	// Merge analyses the two models separately.
	rep, err := Merge(t.TempDir(), []string{filepath.Join(dir, "results.jsonl")}, 0.9)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 {
		t.Errorf("merge of two models gave %d analyses", len(rep.Results))
	}
}

// TestLRRef: with LRRef the rate run at d is lr*sqrt(ref/d); the analysis
// keeps such records apart from unscaled ones in the same file.
func TestLRRef(t *testing.T) {
	if got := ScaleLR(0.01, 400, 100); got != 0.005 {
		t.Errorf("ScaleLR(0.01, 400, 100) = %v, want 0.005", got)
	}
	dir := t.TempDir()
	plain, err := Sweep(context.Background(), synth(), testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	c := testConfig(dir)
	c.LRRef = 300
	s := synth()
	res, err := Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count.Load() == 0 {
		t.Fatal("scaled sweep reused the unscaled runs")
	}
	recs, _, _ := ReadRecords(filepath.Join(dir, "results.jsonl"))
	for _, r := range recs {
		if r.Spec.LRGrid != 0 && r.Spec.LR != ScaleLR(r.Spec.LRGrid, r.Spec.D, 300) {
			t.Errorf("%s: lr %v from grid %v", r.Spec, r.Spec.LR, r.Spec.LRGrid)
		}
	}
	for _, p := range res.Points {
		want := ScaleLR(0.01, p.D, 300)
		if p.LR != want && p.LR != ScaleLR(0.003, p.D, 300) {
			t.Errorf("d=%d: chose lr %v, not a scaled grid value", p.D, p.LR)
		}
	}
	// The unscaled analysis is unchanged by the scaled records.
	again, err := Sweep(context.Background(), synth(), testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	if again.D90 != plain.D90 || again.Runs != plain.Runs {
		t.Errorf("unscaled sweep after a scaled one: d90 %d runs %d, before %d %d", again.D90, again.Runs, plain.D90, plain.Runs)
	}
}

// TestReportOnly: a report-only sweep runs nothing, reports the finished
// runs (an unfinished grid point left out, an unfinished bisection said
// so) and refuses a directory without results.
func TestReportOnly(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	c := testConfig(none)
	c.ReportOnly = true
	if _, err := Sweep(context.Background(), synth(), c); err == nil || !strings.Contains(err.Error(), "no results yet") {
		t.Errorf("report only without results: err %v", err)
	}
	if exists(none) {
		t.Error("report only created the directory")
	}

	dir := t.TempDir()
	c = testConfig(dir)
	c.MaxBisect = 1
	part, err := Sweep(context.Background(), synth(), c)
	if err != nil {
		t.Fatal(err)
	}
	c = testConfig(dir) // bisection allowed to go on, and one more grid point
	c.Grid = append(c.Grid, 20000)
	c.ReportOnly = true
	s := synth()
	res, err := Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if s.Count.Load() != 0 {
		t.Errorf("report only ran %d runs", s.Count.Load())
	}
	if res.Lo != part.Lo || res.Hi != part.Hi || len(res.Points) != len(part.Points) {
		t.Errorf("report only: bracket (%d, %d] over %d points, the runs give (%d, %d] over %d", res.Lo, res.Hi, len(res.Points), part.Lo, part.Hi, len(part.Points))
	}
	for _, p := range res.Points {
		if p.D == 20000 {
			t.Errorf("grid point without runs reported: %+v", p)
		}
	}
	if !strings.Contains(res.How, "not finished (report only)") || !strings.Contains(res.How, "4 runs of the grid not run yet") || res.Missing != 4 {
		t.Errorf("how %q, missing %d", res.How, res.Missing)
	}
	if cell := d90Cell(res); !strings.Contains(cell, "partial: 4 runs missing, bisection not finished") || !res.BisectUnfinished {
		t.Errorf("study cell %q does not say the sweep is partial", cell)
	}
}

// TestStopAtReach checks that ending the grid at the first d that reaches
// the threshold gives the whole grid's d90 and bracket with fewer runs, that
// no grid d above d90 is run, that a resumed stopped sweep and a stopped
// sweep over a whole grid's results run nothing, and that --shard is
// refused.
func TestStopAtReach(t *testing.T) {
	full := synth()
	whole := t.TempDir()
	want, err := Sweep(context.Background(), full, testConfig(whole))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := testConfig(dir)
	c.StopAtReach = true
	s := synth()
	got, err := Sweep(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Found || got.D90 != want.D90 || got.Lo != want.Lo || got.Hi != want.Hi {
		t.Fatalf("stopped grid: d90 %d in (%d, %d], whole grid: %d in (%d, %d]", got.D90, got.Lo, got.Hi, want.D90, want.Lo, want.Hi)
	}
	// The grid stops at its first d >= d90 (the curve is monotone but
	// for noise far below the threshold's margin).
	stop, above := 0, 0
	for _, d := range c.Grid {
		switch {
		case d >= got.Hi && stop == 0:
			stop = d
		case stop != 0:
			above++
		}
	}
	if above == 0 {
		t.Fatalf("test grid %v has no d above %d: nothing to skip", c.Grid, stop)
	}
	for _, p := range got.Points {
		if p.D > stop {
			t.Errorf("grid d %d above the stop %d (d90 %d) was run", p.D, stop, got.Hi)
		}
	}
	// 2 lrs x 2 seeds per d.
	if saved := full.Count.Load() - s.Count.Load(); saved != int64(4*above) {
		t.Errorf("stopped grid ran %d runs, whole grid %d: saved %d, want %d", s.Count.Load(), full.Count.Load(), saved, 4*above)
	}
	if !strings.Contains(got.How, fmt.Sprintf("%d larger grid d not run", above)) {
		t.Errorf("how %q does not say the grid was stopped", got.How)
	}
	for _, d := range []string{dir, whole} {
		c.Dir = d
		again := synth()
		res, err := Sweep(context.Background(), again, c)
		if err != nil {
			t.Fatal(err)
		}
		if again.Count.Load() != 0 || res.D90 != want.D90 {
			t.Errorf("%s: resumed stopped sweep ran %d runs, d90 %d (want 0, %d)", d, again.Count.Load(), res.D90, want.D90)
		}
		if d == whole && strings.Contains(res.How, "not run") {
			t.Errorf("stopped sweep over a whole grid's results says %q", res.How)
		}
	}
	c.Shard = Shard{I: 0, N: 2}
	if _, err := Sweep(context.Background(), synth(), c); err == nil || !strings.Contains(err.Error(), "--shard") {
		t.Errorf("stop at reach with a shard: err %v", err)
	}
}
