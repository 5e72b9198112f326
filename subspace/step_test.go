package subspace_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/optim"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/transformer"
)

func tinyConfig() transformer.Config {
	c := transformer.DefaultConfig()
	c.VocabSize, c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads = 1000, 64, 2, 4
	c.IntermediateSize, c.MaxPositionEmbeddings = 256, 130
	return c
}

type clsBatch struct {
	batch  transformer.Batch
	labels []int32
}

func randomBatch(c transformer.Config, b, t int, seed uint64) clsBatch {
	r := rand.New(rand.NewPCG(seed, 7))
	x := clsBatch{batch: transformer.Batch{B: b, T: t, InputIDs: make([]int32, b*t)}, labels: make([]int32, b)}
	for i := range x.batch.InputIDs {
		x.batch.InputIDs[i] = int32(3 + r.IntN(c.VocabSize-3))
		if i%t == 0 {
			x.batch.InputIDs[i] = 0
		}
	}
	for i := range x.labels {
		x.labels[i] = int32(r.IntN(c.NumLabels))
	}
	return x
}

func clsLoss(tb testing.TB, m *transformer.Model, x clsBatch) *autograd.Tensor {
	h, err := m.Encode(x.batch)
	if err != nil {
		tb.Fatal(err)
	}
	logits, err := m.ClassifierLogits(h)
	if err != nil {
		tb.Fatal(err)
	}
	loss, err := transformer.ClassificationLoss(logits, x.labels)
	if err != nil {
		tb.Fatal(err)
	}
	return loss
}

// TestTransformerDirectional checks the theta gradient through a tiny
// RoBERTa (float32) against a central difference along a random direction,
// for DID and SAID with Fastfood, all tensors but the embeddings wrapped.
func TestTransformerDirectional(t *testing.T) {
	c := tinyConfig()
	x := randomBatch(c, 4, 16, 1)
	for _, method := range []subspace.Method{subspace.DID, subspace.SAID} {
		m, err := transformer.New(c, 1, transformer.WithHeads(transformer.HeadClassifier), transformer.WithDevice(autograd.CPU()))
		if err != nil {
			t.Fatal(err)
		}
		d := 300
		w, err := subspace.Wrap(subspace.Config{Method: method, Kind: subspace.Fastfood, D: d, Seed: 3, Include: subspace.Exclude("embeddings")}, m.Parameters())
		if err != nil {
			t.Fatal(err)
		}
		t.Log(w.Summary())
		r := rand.New(rand.NewPCG(5, 5))
		theta := w.Param().Data()
		p := w.Subspace().ProjDim()
		for j := range p {
			theta[j] = float32(0.3 * r.NormFloat64())
		}
		w.Param().SetData(theta)
		w.Apply()
		clsLoss(t, m, x).Backward()
		w.Backward()
		g := w.Param().Grad().Data()
		v := make([]float32, d)
		var gv float64
		for j := range v {
			v[j] = float32(r.NormFloat64())
			gv += float64(g[j]) * float64(v[j])
		}
		at := func(eps float64) float64 {
			th := make([]float32, d)
			for j := range th {
				th[j] = theta[j] + float32(eps)*v[j]
			}
			w.Param().SetData(th)
			w.Apply()
			var l float64
			autograd.NoGrad(func() { l = float64(clsLoss(t, m, x).Item()) })
			return l
		}
		const eps = 1e-2
		fd := (at(eps) - at(-eps)) / (2 * eps)
		if math.Abs(fd-gv) > 0.03*math.Abs(gv)+1e-4 {
			t.Fatalf("%v: <grad, v> = %g, central difference %g", method, gv, fd)
		}
		t.Logf("%v: <grad, v> = %g, central difference %g", method, gv, fd)
	}
}

// stepModels are BenchmarkStep's models and batches (B sequences of T
// tokens). roberta-base is RoBERTa-base's shape (12 x 768, 124.6M
// parameters) at batch 8 x 128.
var stepModels = map[string]struct {
	cfg  func() transformer.Config
	B, T int
}{
	"roberta-tiny": {tinyConfig, 16, 32},
	"roberta-base": {transformer.DefaultConfig, 8, 128},
}

// stepResult is what a step child reports (one JSON line).
type stepResult struct {
	Steps     int     `json:"steps"`
	WallS     float64 `json:"wall_s"`     // per timed step
	CPUS      float64 `json:"cpu_s"`      // per timed step (process user+system)
	PeakLive  int64   `json:"peak_live"`  // max live heap over one step's phases (forced GC)
	PeakAlloc int64   `json:"peak_alloc"` // max of live heap minus the CPU device's cached free buffers
	StateLive int64   `json:"state_live"` // live heap between steps (forced GC)
	VmHWM     int64   `json:"vmhwm"`      // peak RSS of the process (Linux), 0 elsewhere
}

const stepChildEnv = "IDIM_STEP_CHILD"

// BenchmarkStep is one training step (forward, backward, optimizer) of
// RobertaForSequenceClassification (random init, eval mode): full
// fine-tuning with AdamW over all parameters, or DID/SAID with the blocked
// Fastfood (FastfoodBlock; said-fastfood: the paper's per-tensor
// Fastfood; said-incremental: Config.Incremental, no theta_0 copy),
// d = 1000, every tensor wrapped, AdamW over theta_d alone (Apply before
// the forward, Backward after it).
//
// Each sub-benchmark runs in a fresh child process (this test binary
// re-executed with stepChildEnv set, see TestStepChild), so its memory
// figures are its own: peak-bytes is the child's peak RSS (VmHWM),
// peak-live-bytes the largest live Go heap over one step's phases (after
// the forward, the loss backward, the subspace backward and the optimizer
// step, each measured after a forced GC, so independent of GOGC; it
// includes the CPU device's pool of freed buffers, like PyTorch's reserved
// memory), peak-alloc-bytes the same without that pool (like PyTorch's
// allocated memory), and state-bytes the live heap between steps (weights,
// optimizer state, theta_0, pooled buffers). The child builds the model, runs one warm-up step, the
// measured step, then b.N timed steps; ns/op includes the child's start
// and model construction, so read s/step, cpu-s/step and tokens/s.
func BenchmarkStep(b *testing.B) {
	for _, model := range []string{"roberta-tiny", "roberta-base"} {
		for _, method := range []string{"full", "did", "said", "said-incremental", "said-fastfood"} {
			b.Run(method+"/"+model, func(b *testing.B) {
				if b.N < benchtimeCount() {
					return // the framework's N=1 probe: spare a child (its metrics are not printed)
				}
				mc := stepModels[model]
				cmd := exec.Command(os.Args[0], "-test.run=^TestStepChild$", "-test.count=1")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s/%s/%d", stepChildEnv, method, model, b.N))
				var out, errb bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &errb
				if err := cmd.Run(); err != nil {
					b.Fatalf("step child: %v\n%s%s", err, out.String(), errb.String())
				}
				var r stepResult
				line := ""
				for _, l := range strings.Split(out.String(), "\n") {
					if strings.HasPrefix(l, "STEP ") {
						line = l[5:]
					}
				}
				if err := json.Unmarshal([]byte(line), &r); err != nil || r.Steps != b.N {
					b.Fatalf("step child output %q: %v", out.String(), err)
				}
				b.ReportMetric(r.WallS, "s/step")
				b.ReportMetric(r.CPUS, "cpu-s/step")
				b.ReportMetric(float64(mc.B*mc.T)/r.WallS, "tokens/s")
				b.ReportMetric(float64(r.VmHWM), "peak-bytes")
				b.ReportMetric(float64(r.PeakLive), "peak-live-bytes")
				b.ReportMetric(float64(r.PeakAlloc), "peak-alloc-bytes")
				b.ReportMetric(float64(r.StateLive), "state-bytes")
			})
		}
	}
}

// benchtimeCount is K for -test.benchtime=Kx, else 0.
func benchtimeCount() int {
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return 0
	}
	k, err := strconv.Atoi(strings.TrimSuffix(f.Value.String(), "x"))
	if err != nil || !strings.HasSuffix(f.Value.String(), "x") {
		return 0
	}
	return k
}

// TestStepChild is BenchmarkStep's child process: it does nothing unless
// stepChildEnv is set to method/model/steps.
func TestStepChild(t *testing.T) {
	spec := os.Getenv(stepChildEnv)
	if spec == "" {
		t.Skip("runs only as BenchmarkStep's child process")
	}
	f := strings.Split(spec, "/")
	if len(f) != 3 {
		t.Fatalf("%s=%q: want method/model/steps", stepChildEnv, spec)
	}
	method, model := f[0], f[1]
	steps, err := strconv.Atoi(f[2])
	mc, ok := stepModels[model]
	if err != nil || !ok || steps < 1 {
		t.Fatalf("%s=%q: bad model or step count", stepChildEnv, spec)
	}
	cfg := mc.cfg()
	m, err := transformer.New(cfg, 1, transformer.WithHeads(transformer.HeadClassifier), transformer.WithDevice(autograd.CPU()))
	if err != nil {
		t.Fatal(err)
	}
	x := randomBatch(cfg, mc.B, mc.T, 2)
	var w *subspace.Wrapped
	params := m.Parameters()
	if method != "full" {
		meth, kind, incr := subspace.DID, subspace.FastfoodBlock, false
		switch method {
		case "did":
		case "said":
			meth = subspace.SAID
		case "said-incremental":
			meth, incr = subspace.SAID, true
		case "said-fastfood":
			meth, kind = subspace.SAID, subspace.Fastfood
		default:
			t.Fatalf("unknown method %q", method)
		}
		w, err = subspace.Wrap(subspace.Config{Method: meth, Kind: kind, D: 1000, Seed: 1, Incremental: incr}, params)
		if err != nil {
			t.Fatal(err)
		}
		params = []*autograd.Tensor{w.Param()}
	}
	opt, err := optim.NewAdamW(optim.OneGroup(params, 0), optim.AdamConfig{LR: 1e-5})
	if err != nil {
		t.Fatal(err)
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	live := func() int64 {
		runtime.GC()
		metrics.Read(sample)
		return int64(sample[0].Value.Uint64())
	}
	var peak, peakAlloc int64
	phase := func(measure bool) {
		if measure {
			l := live()
			peak = max(peak, l)
			peakAlloc = max(peakAlloc, l-autograd.CPU().Stats().CachedBytes)
		}
	}
	var scope autograd.Scope
	step := func(measure bool) {
		scope.Begin()
		if w != nil {
			w.Apply()
		}
		loss := clsLoss(t, m, x)
		phase(measure)
		loss.Backward()
		phase(measure)
		if w != nil {
			w.Backward()
			phase(measure)
		}
		opt.Step()
		phase(measure)
		opt.ZeroGrad()
		scope.End()
	}
	step(false) // warm-up: optimizer state, workspaces
	step(true)
	r := stepResult{Steps: steps, PeakLive: peak, PeakAlloc: peakAlloc, StateLive: live()}
	cpu0, t0 := subspace.ProcessCPUSeconds(), time.Now()
	for range steps {
		step(false)
	}
	r.WallS = time.Since(t0).Seconds() / float64(steps)
	r.CPUS = (subspace.ProcessCPUSeconds() - cpu0) / float64(steps)
	r.VmHWM = vmHWM()
	js, _ := json.Marshal(r)
	fmt.Printf("STEP %s\n", js)
}

// vmHWM is the process's peak resident set (Linux /proc/self/status), 0
// where that is not available.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}
