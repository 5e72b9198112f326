package subspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// robertaShapes lists the parameter tensors of RobertaForSequenceClassification
// with HF names: embeddings, layers encoder layers, and the classification
// head (dense hidden x hidden, out_proj labels x hidden).
func robertaShapes(vocab, maxPos, hidden, layers, inter, labels int) []TensorInfo {
	var ts []TensorInfo
	add := func(name string, shape ...int) { ts = append(ts, TensorInfo{Name: name, Shape: shape}) }
	add("roberta.embeddings.word_embeddings.weight", vocab, hidden)
	add("roberta.embeddings.position_embeddings.weight", maxPos, hidden)
	add("roberta.embeddings.token_type_embeddings.weight", 1, hidden)
	add("roberta.embeddings.LayerNorm.weight", hidden)
	add("roberta.embeddings.LayerNorm.bias", hidden)
	for l := range layers {
		p := fmt.Sprintf("roberta.encoder.layer.%d.", l)
		for _, qkv := range []string{"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"} {
			add(p+qkv+".weight", hidden, hidden)
			add(p+qkv+".bias", hidden)
		}
		add(p+"attention.output.LayerNorm.weight", hidden)
		add(p+"attention.output.LayerNorm.bias", hidden)
		add(p+"intermediate.dense.weight", inter, hidden)
		add(p+"intermediate.dense.bias", inter)
		add(p+"output.dense.weight", hidden, inter)
		add(p+"output.dense.bias", hidden)
		add(p+"output.LayerNorm.weight", hidden)
		add(p+"output.LayerNorm.bias", hidden)
	}
	add("classifier.dense.weight", hidden, hidden)
	add("classifier.dense.bias", hidden)
	add("classifier.out_proj.weight", labels, hidden)
	add("classifier.out_proj.bias", labels)
	return ts
}

var benchModels = map[string][]TensorInfo{
	// 124,647,170 parameters.
	"roberta-base": robertaShapes(50265, 514, 768, 12, 3072, 2),
	// Its largest tensor alone (the anchor script's word-embeddings).
	"word-embeddings": {{Name: "roberta.embeddings.word_embeddings.weight", Shape: []int{50265, 768}}},
	// A small model for the O(n d) Dense reference: 283,266 parameters.
	"roberta-tiny": robertaShapes(1000, 130, 64, 2, 256, 2),
}

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// benchParams builds Params for shapes: Data per tensor, Base and Grad
// slices of one shared read-only buffer (so only Data costs 4 bytes per
// parameter).
func benchParams(shapes []TensorInfo) []Param {
	maxN := 0
	for _, s := range shapes {
		maxN = max(maxN, numel(s.Shape))
	}
	r := rand.New(rand.NewPCG(1, 1))
	shared := make([]float32, maxN)
	for i := range shared {
		shared[i] = float32(r.NormFloat64() * 0.02)
	}
	ps := make([]Param, len(shapes))
	for i, s := range shapes {
		n := numel(s.Shape)
		ps[i] = Param{Name: s.Name, Shape: s.Shape, Data: make([]float32, n), Base: shared[:n], Grad: shared[:n]}
	}
	return ps
}

// BenchmarkProject runs one forward (Apply: theta_t = theta_0 + P theta_d
// into every tensor) and one transpose (Grad: sum_t P_t^T g_t) over a whole
// model's parameter set.
func BenchmarkProject(b *testing.B) {
	cases := []struct {
		kind  Kind
		model string
		ds    []int
	}{
		{Fastfood, "roberta-base", []int{1000, 20000}},
		{FastfoodSplit, "roberta-base", []int{1000, 20000}},
		{FastfoodBlock, "roberta-base", []int{1000, 20000}},
		{Fastfood, "word-embeddings", []int{1000}},
		{FastfoodSplit, "word-embeddings", []int{1000}},
		{Sparse, "roberta-base", []int{1000}},
		{Fastfood, "roberta-tiny", []int{100, 1000}},
		{FastfoodSplit, "roberta-tiny", []int{100, 1000}},
		{FastfoodBlock, "roberta-tiny", []int{100, 1000}},
		{Sparse, "roberta-tiny", []int{100, 1000}},
		{Dense, "roberta-tiny", []int{100}},
	}
	for _, c := range cases {
		for _, d := range c.ds {
			for _, method := range []Method{DID, SAID} {
				name := fmt.Sprintf("%v/%s/d=%d", c.kind, c.model, d)
				if method == SAID {
					if c.model == "roberta-base" && d != 20000 {
						continue
					}
					name = "said-" + name
				}
				b.Run(name, func(b *testing.B) {
					ps := benchParams(benchModels[c.model])
					s, err := New(Config{Method: method, Kind: c.kind, D: d, Seed: 1}, ps)
					if err != nil {
						b.Fatal(err)
					}
					r := rand.New(rand.NewPCG(2, 2))
					for j := range s.ProjDim() {
						s.Theta()[j] = float32(r.NormFloat64())
					}
					g := make([]float32, d)
					s.Apply()
					s.Grad(g)
					cnt := s.Counts()
					b.ReportAllocs()
					b.ResetTimer()
					cpu0 := processCPUSeconds()
					for b.Loop() {
						s.Apply()
						s.Grad(g)
					}
					b.ReportMetric((processCPUSeconds()-cpu0)/float64(b.N), "cpu-s/op")
					b.ReportMetric(float64(s.StateBytes()), "state-bytes")
					b.ReportMetric(float64(s.StateBytes())/float64(cnt.Wrapped), "state-B/param")
					b.ReportMetric(float64(cnt.Wrapped)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mparam/s")
				})
			}
		}
	}
}

// TestRobertaShapes pins the benchmark's parameter count to RoBERTa-base's.
func TestRobertaShapes(t *testing.T) {
	var n int
	for _, s := range benchModels["roberta-base"] {
		n += numel(s.Shape)
	}
	if n != 124647170 {
		t.Fatalf("roberta-base has %d parameters, want 124647170", n)
	}
}
