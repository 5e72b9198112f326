package subspace_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

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

// BenchmarkStep is one training step (forward, backward, optimizer) of
// RobertaForSequenceClassification: full fine-tuning with AdamW over all
// parameters, or DID/SAID with Fastfood (did-split: FastfoodSplit), d = 1000,
// and AdamW over theta_d alone (Apply before the forward, Backward after it).
func BenchmarkStep(b *testing.B) {
	models := []struct {
		name string
		cfg  transformer.Config
		B, T int
	}{
		{"roberta-tiny", tinyConfig(), 16, 32},
		{"roberta-base", transformer.DefaultConfig(), 8, 64},
	}
	for _, mc := range models {
		for _, method := range []string{"full", "did", "said", "did-split"} {
			b.Run(fmt.Sprintf("%s/%s", method, mc.name), func(b *testing.B) {
				m, err := transformer.New(mc.cfg, 1, transformer.WithHeads(transformer.HeadClassifier), transformer.WithDevice(autograd.CPU()))
				if err != nil {
					b.Fatal(err)
				}
				x := randomBatch(mc.cfg, mc.B, mc.T, 2)
				var w *subspace.Wrapped
				params := m.Parameters()
				if method != "full" {
					meth, kind := subspace.DID, subspace.Fastfood
					switch method {
					case "said":
						meth = subspace.SAID
					case "did-split":
						kind = subspace.FastfoodSplit
					}
					w, err = subspace.Wrap(subspace.Config{Method: meth, Kind: kind, D: 1000, Seed: 1}, params)
					if err != nil {
						b.Fatal(err)
					}
					params = []*autograd.Tensor{w.Param()}
				}
				opt, err := optim.NewAdamW(optim.OneGroup(params, 0), optim.AdamConfig{LR: 1e-5})
				if err != nil {
					b.Fatal(err)
				}
				var scope autograd.Scope
				step := func() {
					scope.Begin()
					if w != nil {
						w.Apply()
					}
					clsLoss(b, m, x).Backward()
					if w != nil {
						w.Backward()
					}
					opt.Step()
					opt.ZeroGrad()
					scope.End()
				}
				step()
				b.ResetTimer()
				cpu0 := subspace.ProcessCPUSeconds()
				for b.Loop() {
					step()
				}
				b.ReportMetric((subspace.ProcessCPUSeconds()-cpu0)/float64(b.N), "cpu-s/op")
				b.ReportMetric(float64(mc.B*mc.T)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
			})
		}
	}
}
