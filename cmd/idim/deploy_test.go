package main

import (
	"flag"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/idim-go/idim/bench"
)

// parseSweepArgs checks that args are valid `idim sweep` flags.
func parseSweepArgs(t *testing.T, file string, args []string) sweepFlags {
	t.Helper()
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var f sweepFlags
	f.register(fs, sweepDefaults)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("%s: %v (args %q)", file, err, args)
	}
	if _, err := f.config(1, nil); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return f
}

// TestDeployFiles checks that the Kubernetes and Slurm examples pass valid
// sweep flags and that their shard count matches the number of tasks.
func TestDeployFiles(t *testing.T) {
	y, err := os.ReadFile("../../deploy/k8s-sweep-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, m := range regexp.MustCompile(`(?m)^\s+- (--[a-z-]+=\S+)`).FindAllStringSubmatch(string(y), -1) {
		args = append(args, m[1])
	}
	t.Setenv("JOB_COMPLETION_INDEX", "0")
	f := parseSweepArgs(t, "k8s-sweep-job.yaml", args)
	comp := regexp.MustCompile(`completions: (\d+)`).FindStringSubmatch(string(y))
	par := regexp.MustCompile(`completionMode: Indexed`).MatchString(string(y))
	if comp == nil || !par {
		t.Fatal("k8s-sweep-job.yaml: not an Indexed Job with completions")
	}
	sh, err := bench.ParseShard(f.shard, func(k string) string {
		if k == "JOB_COMPLETION_INDEX" {
			return "0"
		}
		return ""
	})
	if err != nil || sh.N != atoi(t, comp[1]) {
		t.Errorf("k8s: --shard %q gives %v (%v), completions %s", f.shard, sh, err, comp[1])
	}

	s, err := os.ReadFile("../../deploy/sweep.sbatch")
	if err != nil {
		t.Fatal(err)
	}
	body := string(s)
	i := strings.Index(body, `"$IDIM" sweep`)
	if i < 0 {
		t.Fatal("sweep.sbatch does not run $IDIM sweep")
	}
	cmd := strings.ReplaceAll(body[i+len(`"$IDIM" sweep`):], "\\\n", " ")
	var sargs []string
	for _, a := range strings.Fields(cmd) {
		a = strings.ReplaceAll(a, `"$OUT"`, "/tmp/out")
		a = strings.ReplaceAll(a, `"$OUT/baselines"`, "/tmp/out/baselines")
		a = strings.ReplaceAll(a, `"${SLURM_CPUS_PER_TASK:-4}"`, "4")
		sargs = append(sargs, a)
	}
	arr := regexp.MustCompile(`#SBATCH --array=(\d+)-(\d+)`).FindStringSubmatch(body)
	if arr == nil {
		t.Fatal("sweep.sbatch: no --array")
	}
	n := atoi(t, arr[2]) - atoi(t, arr[1]) + 1
	env := map[string]string{"SLURM_ARRAY_TASK_ID": arr[2], "SLURM_ARRAY_TASK_MIN": arr[1], "SLURM_ARRAY_TASK_COUNT": strconv.Itoa(n)}
	os.Unsetenv("JOB_COMPLETION_INDEX")
	for k, v := range env {
		t.Setenv(k, v)
	}
	g := parseSweepArgs(t, "sweep.sbatch", sargs)
	sh, err = bench.ParseShard(g.shard, func(k string) string { return env[k] })
	if err != nil || sh.N != n || sh.I != n-1 {
		t.Errorf("sbatch: --shard %q gives %v (%v) for the last task of %d", g.shard, sh, err, n)
	}
}

func atoi(t *testing.T, s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
