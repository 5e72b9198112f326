package train

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/idim-go/idim/checkpoint"
	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/transformer"
)

var (
	tokOnce sync.Once
	tokVal  *tokenizer.Tokenizer
	tokErr  error
)

// shippedTokenizer is the default shipped model's tokenizer.
func shippedTokenizer(t testing.TB) *tokenizer.Tokenizer {
	if !models.Has(models.Default) {
		t.Skipf("this build ships no %s model (models/%s is missing)", models.Default, models.Default)
	}
	tokOnce.Do(func() {
		dir, err := models.Dir(models.Default)
		if err != nil {
			tokErr = err
			return
		}
		tokVal, tokErr = tokenizer.LoadDir(dir)
	})
	if tokErr != nil {
		t.Fatal(tokErr)
	}
	return tokVal
}

// smallModel is a random 1-layer classifier over the shipped vocabulary.
func smallModel(t testing.TB, tok *tokenizer.Tokenizer, labels int, seed uint64) *transformer.Model {
	c := transformer.DefaultConfig()
	c.VocabSize = tok.VocabSize()
	c.HiddenSize, c.NumHiddenLayers, c.NumAttentionHeads, c.IntermediateSize = 32, 1, 2, 64
	c.MaxPositionEmbeddings = 66
	c.NumLabels = labels
	m, err := transformer.New(c, seed, transformer.WithHeads(transformer.HeadClassifier))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// smallTask is the sentiment task cut to n training and m dev examples.
func smallTask(t testing.TB, n, m int) *data.Task {
	task, err := data.Load("sentiment", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	task.Train = task.Train[:min(n, len(task.Train))]
	task.Dev = task.Dev[:min(m, len(task.Dev))]
	task.Test = task.Test[:min(m, len(task.Test))]
	return task
}

// weights reads every tensor of a safetensors file or model directory.
func weights(t testing.TB, path string) map[string][]float32 {
	var src checkpoint.Source
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		d, err := checkpoint.OpenDir(path)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		src = d
	} else {
		f, err := checkpoint.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		src = f
	}
	out := map[string][]float32{}
	for _, n := range src.Names() {
		_, v, err := src.Tensor(n)
		if err != nil {
			t.Fatal(err)
		}
		out[n] = append([]float32(nil), v...) // v may map the file, which closes
	}
	return out
}

// sameBits fails unless the two weight sets are bit-identical.
func sameBits(t testing.TB, what string, a, b map[string][]float32) {
	t.Helper()
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%s: %d vs %d tensors", what, len(a), len(b))
	}
	for n, va := range a {
		vb, ok := b[n]
		if !ok || len(va) != len(vb) {
			t.Fatalf("%s: tensor %s missing or resized", what, n)
		}
		if !bytes.Equal(f32bytes(va), f32bytes(vb)) {
			t.Fatalf("%s: tensor %s differs", what, n)
		}
	}
}

func f32bytes(v []float32) []byte {
	var b bytes.Buffer
	for _, x := range v {
		u := mathFloat32bits(x)
		b.Write([]byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)})
	}
	return b.Bytes()
}

func readFile(t testing.TB, parts ...string) []byte {
	b, err := os.ReadFile(filepath.Join(parts...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mathFloat32bits(f float32) uint32 { return math.Float32bits(f) }
