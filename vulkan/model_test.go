//go:build vulkan && cgo

package vulkan

import (
	"math"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/autograd/devicetest"
	"github.com/idim-go/idim/optim"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/transformer"
)

func tinyConfig() transformer.Config {
	c := transformer.DefaultConfig()
	c.VocabSize = 61
	c.HiddenSize = 32
	c.NumHiddenLayers = 2
	c.NumAttentionHeads = 4
	c.IntermediateSize = 64
	c.MaxPositionEmbeddings = 24
	c.TypeVocabSize = 1
	c.NumLabels = 3
	c.ID2Label, c.Label2ID = nil, nil
	return c
}

// trainSteps runs steps AdamW steps of classification + MLM loss on one
// padded batch, in train mode (dropout on), and returns the losses and
// the final parameters.
func trainSteps(t *testing.T, dev autograd.Device, steps int) ([]float32, [][]float32, []string) {
	t.Helper()
	m, err := transformer.New(tinyConfig(), 7, transformer.WithDevice(dev))
	if err != nil {
		t.Fatal(err)
	}
	m.SetTrain(true)
	b := transformer.Batch{B: 2, T: 6,
		InputIDs:  []int32{0, 5, 9, 17, 2, 1, 0, 33, 60, 2, 1, 1},
		Attention: []int32{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0}}
	labels := []int32{2, 0}
	mlm := []int32{-100, 9, -100, 4, -100, -100, -100, 3, -100, -100, -100, -100}
	opt, err := optim.NewAdamW(optim.OneGroup(m.Parameters(), 0.01), optim.AdamConfig{LR: 3e-3})
	if err != nil {
		t.Fatal(err)
	}
	var losses []float32
	var sc autograd.Scope
	for step := 0; step < steps; step++ {
		sc.Begin()
		m.SetSeed(uint64(step))
		h, err := m.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		logits, _ := m.ClassifierLogits(h)
		cl, _ := transformer.ClassificationLoss(logits, labels)
		ml, _ := m.MLMLoss(h, mlm)
		loss := autograd.Add(cl, ml)
		losses = append(losses, loss.Item())
		loss.Backward()
		opt.Step()
		autograd.ZeroGrads(m.Parameters())
		sc.End()
	}
	var params [][]float32
	var names []string
	for _, p := range m.Parameters() {
		params = append(params, p.Data())
		names = append(names, p.Name())
		p.Release()
	}
	if r, ok := any(opt).(interface{ Release() }); ok {
		r.Release()
	}
	return losses, params, names
}

// TestTrainingStep trains a tiny RoBERTa for a few AdamW steps on the device
// and on the CPU: the losses agree to 1e-5 relative and the parameters by
// NMSE 1e-9 (all of them together, and each tensor but the attention key
// biases, whose exact gradient is zero, softmax being invariant to a shift
// of each row: both devices train them on rounding noise, which Adam
// scales up to about lr per step), no kernel falls back to the CPU, and a step moves only the
// batch (uploads) and the loss (one download) between host and device.
func TestTrainingStep(t *testing.T) {
	d := open(t)
	var logged []string
	defer func(f func(string, ...any)) { autograd.Logf = f }(autograd.Logf)
	autograd.Logf = func(format string, args ...any) { logged = append(logged, format) }
	const steps = 4
	wantL, wantP, names := trainSteps(t, autograd.CPU(), steps)
	dev := autograd.WithFallback(d)
	s0 := d.Stats()
	gotL, gotP, _ := trainSteps(t, dev, steps)
	s1 := d.Stats()
	for i := range wantL {
		if math.Abs(float64(gotL[i]-wantL[i])) > 1e-5*math.Abs(float64(wantL[i])) {
			t.Errorf("step %d: loss %v, CPU %v", i, gotL[i], wantL[i])
		}
	}
	if !(wantL[steps-1] < wantL[0]) {
		t.Errorf("the CPU loss did not fall: %v", wantL)
	}
	worst := 0.0
	var allGot, allWant []float32
	for i := range wantP {
		allGot = append(allGot, gotP[i]...)
		allWant = append(allWant, wantP[i]...)
		if strings.HasSuffix(names[i], "attention.self.key.bias") {
			continue
		}
		e := devicetest.NMSE(gotP[i], wantP[i])
		if !(e <= 1e-9) {
			t.Errorf("%s after %d steps: NMSE %.3g > 1e-9", names[i], steps, e)
		}
		worst = max(worst, e)
	}
	if e := devicetest.NMSE(allGot, allWant); !(e <= 1e-9) {
		t.Errorf("all parameters after %d steps: NMSE %.3g > 1e-9", steps, e)
	}
	if len(logged) != 0 {
		t.Errorf("CPU fallbacks: %q", logged)
	}
	nparams := len(wantP)
	downs := s1.Downloads - s0.Downloads - nparams // minus the final parameter reads
	t.Logf("losses %v; worst parameter NMSE %.3g; %d dispatches, %d submits, %d downloads (%d bytes) in %d steps",
		gotL, worst, s1.Dispatches-s0.Dispatches, s1.Submits-s0.Submits-nparams, downs, s1.DownBytes-s0.DownBytes, steps)
	if sub := s1.Submits - s0.Submits - nparams; sub > steps {
		t.Errorf("%d command buffers submitted in %d steps, want one a step", sub, steps)
	}
	if downs > steps {
		t.Errorf("%d downloads in %d steps: something other than the loss came back to the host", downs, steps)
	}
}

// saidSteps runs steps SAID (Fastfood, d = 200) AdamW steps of the
// classification loss of the tiny RoBERTa on dev and returns the losses and
// the trained subspace vector (theta_{d-m} and the lambdas).
func saidSteps(t *testing.T, dev autograd.Device, steps int) ([]float32, []float32) {
	t.Helper()
	m, err := transformer.New(tinyConfig(), 7, transformer.WithDevice(dev))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, p := range m.Parameters() {
			p.Release()
		}
	}()
	w, err := subspace.Wrap(subspace.Config{Method: subspace.SAID, Kind: subspace.Fastfood, D: 200, Seed: 3}, m.Parameters())
	if err != nil {
		t.Fatal(err)
	}
	opt, err := optim.NewAdamW(optim.OneGroup([]*autograd.Tensor{w.Param()}, 0), optim.AdamConfig{LR: 1e-2})
	if err != nil {
		t.Fatal(err)
	}
	defer opt.Release()
	b := transformer.Batch{B: 2, T: 6,
		InputIDs:  []int32{0, 5, 9, 17, 2, 1, 0, 33, 60, 2, 1, 1},
		Attention: []int32{1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0}}
	labels := []int32{2, 0}
	var losses []float32
	var sc autograd.Scope
	for step := 0; step < steps; step++ {
		sc.Begin()
		w.Apply()
		h, err := m.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		logits, _ := m.ClassifierLogits(h)
		loss, _ := transformer.ClassificationLoss(logits, labels)
		losses = append(losses, loss.Item())
		loss.Backward()
		w.Backward()
		opt.Step()
		autograd.ZeroGrads([]*autograd.Tensor{w.Param()})
		sc.End()
	}
	theta := w.Param().Data()
	w.Param().Release()
	return losses, theta
}

// TestSAIDStep trains the tiny RoBERTa with SAID through the Fastfood
// projection with the model on the device (the projection itself runs on
// the host, moving parameters and gradients through the device's transfers)
// and compares the losses and the trained subspace vector with the CPU.
func TestSAIDStep(t *testing.T) {
	d := open(t)
	const steps = 4
	wantL, wantTheta := saidSteps(t, autograd.CPU(), steps)
	gotL, gotTheta := saidSteps(t, autograd.WithFallback(d), steps)
	for i := range wantL {
		if math.Abs(float64(gotL[i]-wantL[i])) > 1e-5*math.Abs(float64(wantL[i])) {
			t.Errorf("step %d: loss %v, CPU %v", i, gotL[i], wantL[i])
		}
	}
	if !(wantL[steps-1] < wantL[0]) {
		t.Errorf("the CPU loss did not fall: %v", wantL)
	}
	if e := devicetest.NMSE(gotTheta, wantTheta); !(e <= 1e-8) {
		t.Errorf("theta_d after %d steps: NMSE %.3g > 1e-8", steps, e)
	}
}
