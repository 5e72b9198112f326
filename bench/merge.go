package bench

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
)

// MergeReport says what Merge did.
type MergeReport struct {
	Files      int      `json:"files"`
	Records    int      `json:"records"`    // unique keys written
	Duplicates int      `json:"duplicates"` // identical records seen again
	Conflicts  []string `json:"conflicts"`  // same key, different outcome (the first is kept)
	Warnings   []string `json:"warnings"`   // unreadable lines
	// Results is the analysis of every (method, projector) found, from the
	// merged records (grid points as they are; no bisection).
	Results []Result `json:"results"`
}

func sameScore(a, b Score) bool {
	x, y := float64(a), float64(b)
	return x == y || (math.IsNaN(x) && math.IsNaN(y))
}

func sameOutcome(a, b Record) bool {
	return a.Failed == b.Failed && sameScore(a.Dev, b.Dev) && sameScore(a.Test, b.Test) && sameScore(a.Train, b.Train)
}

// MergeRecords joins record lists: one record per key, in first-seen
// order. Records with the same key and the same outcome are duplicates;
// with a different outcome they are conflicts (reported; the first kept).
func MergeRecords(lists ...[]Record) (out []Record, dups int, conflicts []string) {
	seen := map[string]int{}
	for _, l := range lists {
		for _, r := range l {
			if i, ok := seen[r.Key]; ok {
				if sameOutcome(out[i], r) {
					dups++
				} else {
					conflicts = append(conflicts, fmt.Sprintf("key %s (%s): dev %v / %v, test %v / %v, failed %v / %v (shards %q / %q): kept the first",
						r.Key, r.Spec, float64(out[i].Dev), float64(r.Dev), float64(out[i].Test), float64(r.Test), out[i].Failed, r.Failed, out[i].Shard, r.Shard))
				}
				continue
			}
			seen[r.Key] = len(out)
			out = append(out, r)
		}
	}
	return out, dups, conflicts
}

// Merge reads the results files, writes the merged, deduplicated records to
// dir/results.jsonl (merged with what that file already holds, which comes
// first), analyses them with the given fraction (default 0.9) and writes a
// report per (method, projector) into dir (dir itself when there is one,
// else dir/<method>-<projector>).
func Merge(dir string, files []string, fraction float64) (MergeReport, error) {
	var rep MergeReport
	if fraction == 0 {
		fraction = 0.9
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rep, err
	}
	out := filepath.Join(dir, "results.jsonl")
	var lists [][]Record
	existing, warn, err := ReadRecords(out)
	if err != nil {
		return rep, err
	}
	rep.Warnings = append(rep.Warnings, warn...)
	lists = append(lists, existing)
	for _, f := range files {
		if abs(f) == abs(out) {
			continue
		}
		recs, warn, err := ReadRecords(f)
		if err != nil {
			return rep, err
		}
		if _, err := os.Stat(f); err != nil {
			return rep, fmt.Errorf("bench: merge: %w", err)
		}
		rep.Files++
		rep.Warnings = append(rep.Warnings, warn...)
		lists = append(lists, recs)
	}
	recs, dups, conflicts := MergeRecords(lists...)
	rep.Duplicates, rep.Conflicts, rep.Records = dups, conflicts, len(recs)
	if len(recs) == 0 {
		return rep, ErrNoRecords
	}
	// Rewrite the merged file atomically (existing records first, so a
	// merge into a sweep's own directory keeps them).
	var buf []byte
	for _, r := range recs {
		buf = append(buf, mustLine(r)...)
	}
	if err := writeFileAtomic(out, buf); err != nil {
		return rep, err
	}
	// One analysis per (method, projector, model, task).
	type group struct{ method, proj, hash, task string }
	groups := map[group]bool{}
	for _, r := range recs {
		if r.Spec.Kind == KindSubspace {
			groups[group{r.Spec.Method, r.Spec.Projector, r.Identity.ModelHash, r.Identity.Task}] = true
		}
	}
	var keys []group
	for g := range groups {
		keys = append(keys, g)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		return a.method+a.proj+a.hash+a.task < b.method+b.proj+b.hash+b.task
	})
	for i, g := range keys {
		res := Analyze(recs, Filter{Method: g.method, Projector: g.proj, ModelHash: g.hash, Task: g.task}, fraction)
		if res.Found && res.Lo > 0 {
			res.How += "; merged grid only: run the same `idim sweep` unsharded with --out " + dir + " to bisect"
		}
		sub := dir
		if len(keys) > 1 {
			sub = filepath.Join(dir, fmt.Sprintf("%d-%s-%s", i, g.method, g.proj))
		}
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return rep, err
		}
		if err := WriteReport(sub, res); err != nil {
			return rep, err
		}
		rep.Results = append(rep.Results, res)
	}
	return rep, nil
}

func mustLine(r Record) []byte {
	b := mustJSON(r)
	// mustJSON indents; a results file wants one record a line.
	var c []byte
	c, _ = compactJSON(b)
	return append(c, '\n')
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
