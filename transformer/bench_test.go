package transformer

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/internal/cpu"
	"github.com/idim-go/idim/optim"
)

// BenchmarkRoberta times RoBERTa-base (12 layers, hidden 768, 12 heads, FFN 3072, vocab 50265)
// with random weights on batch 32 x seq 128, the shape of bench/torch/roberta_bench.py:
//
//	forward: eval mode under NoGrad, Model.Classify: the classification logits, with the last
//	         layer on the <s> rows only (Classify's default: the same logits as the full layer);
//	forward-full: the same with the full last layer (SetFullLastLayer(true)), i.e. the last
//	         hidden state of every token, then the head: what PyTorch/HF compute;
//	train:   train mode (dropout 0.1), Classify + cross entropy + backward + optim.AdamW (weight
//	         decay 0.01 on every parameter, as torch.optim.AdamW's default); the same loss and
//	         gradients as with the full last layer;
//	train-full: the same with the full last layer (what PyTorch/HF compute).
//
// All report tokens/s (wall clock) and tokens/cpu-s (tokens per second of the process' CPU
// time, which a shared, loaded machine distorts less); the training steps also report the
// process' peak resident memory (VmHWM) in MiB.
func BenchmarkRoberta(b *testing.B) {
	c := DefaultConfig()
	const B, T = 32, 128
	threads := fmt.Sprintf("threads=%d", cpu.Workers())
	var m *Model
	setup := func(b *testing.B) {
		if m != nil {
			return
		}
		var err error
		m, err = New(c, 1, WithHeads(HeadClassifier))
		if err != nil {
			b.Fatal(err)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	batch := Batch{B: B, T: T, InputIDs: make([]int32, B*T)}
	for i := range batch.InputIDs {
		batch.InputIDs[i] = int32(3 + r.IntN(c.VocabSize-3))
		if i%T == 0 {
			batch.InputIDs[i] = 0
		}
	}
	labels := make([]int32, B)
	for i := range labels {
		labels[i] = int32(r.IntN(2))
	}
	var step autograd.Scope

	forward := func(b *testing.B, full bool) {
		setup(b)
		m.SetTrain(false)
		m.SetFullLastLayer(full)
		defer m.SetFullLastLayer(false)
		b.ResetTimer()
		cpu0 := cpuSeconds()
		for i := 0; i < b.N; i++ {
			step.Begin()
			autograd.NoGrad(func() {
				logits, err := m.Classify(batch)
				if err != nil {
					b.Fatal(err)
				}
				_ = logits.Data()
			})
			step.End()
		}
		reportTokens(b, B*T, cpu0)
	}
	b.Run("base/forward/"+threads, func(b *testing.B) { forward(b, false) })
	b.Run("base/forward-full/"+threads, func(b *testing.B) { forward(b, true) })

	train := func(b *testing.B, full bool) {
		setup(b)
		m.SetTrain(true)
		defer m.SetTrain(false)
		m.SetFullLastLayer(full)
		defer m.SetFullLastLayer(false)
		opt, err := optim.NewAdamW(optim.OneGroup(m.Parameters(), 0.01), optim.AdamConfig{LR: 1e-5})
		if err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		cpu0 := cpuSeconds()
		for i := 0; i < b.N; i++ {
			step.Begin()
			logits, err := m.Classify(batch)
			if err != nil {
				b.Fatal(err)
			}
			loss, err := ClassificationLoss(logits, labels)
			if err != nil {
				b.Fatal(err)
			}
			loss.Backward()
			opt.Step()
			_ = loss.Item()
			opt.ZeroGrad()
			step.End()
		}
		reportTokens(b, B*T, cpu0)
		if hwm := vmHWM(); hwm > 0 {
			b.ReportMetric(hwm, "peak-RSS-MiB")
		}
	}
	b.Run("base/train/"+threads, func(b *testing.B) { train(b, false) })
	b.Run("base/train-full/"+threads, func(b *testing.B) { train(b, true) })
}

// vmHWM is the process' peak resident set size in MiB from /proc/self/status (0 if unknown).
func vmHWM() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func reportTokens(b *testing.B, tokens int, cpu0 float64) {
	n := float64(tokens) * float64(b.N)
	b.ReportMetric(n/b.Elapsed().Seconds(), "tokens/s")
	if c := cpuSeconds() - cpu0; c > 0 && cpu0 > 0 {
		b.ReportMetric(n/c, "tokens/cpu-s")
	}
}
