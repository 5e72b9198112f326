// Package bench runs the experiments of idim: d90 sweeps (a full
// fine-tuning baseline, subspace runs over a log-spaced grid of d, then
// bisection toward 90% of the baseline), the paper's studies, and their
// tables and plots.
//
// # Sweeps
//
// A Sweep asks a Runner for training runs, each described by a Spec
// (method, projector, d, learning rate, seed). The Runner's Identity of a
// spec (model hash, task, hyperparameters) together with the spec is the
// run's key: every finished run is appended to results.jsonl (one Record a
// line, fsynced), and a sweep started again with the same arguments skips
// every key already there, so a killed sweep resumes without redoing
// anything that finished. A truncated last line (a kill during the write)
// is ignored with a warning and that run is redone. A diverged run (NaN) is
// recorded as failed and the sweep goes on.
//
// d90 is the smallest d whose mean dev score over the seeds (at the
// learning rate chosen for that d on dev) is at least Fraction (0.9) times
// the baseline's mean dev score. The grid brackets it; bisection in log
// space between the largest evaluated d below the threshold and the
// smallest above narrows the bracket until hi/lo <= Ratio (or hi-lo <= Abs).
//
// # Sharding
//
// With Shard {I, N}, a sweep runs only its share of the grid phase (points
// dealt round-robin in a fixed order: the baseline seeds first, then d
// ascending, learning rate, seed) into results.shard-I-of-N.jsonl. Merge
// joins the shard files (deduplicated by key; records that disagree are
// reported) and analyses the grid; bisection is a second phase: run the
// same sweep unsharded in the merged directory, which finds the grid done
// and only bisects.
package bench
