package checkpoint

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func parseTensors(t *testing.T, tensors []Tensor) *File {
	t.Helper()
	var buf bytes.Buffer
	if _, err := Encode(&buf, tensors, nil); err != nil {
		t.Fatal(err)
	}
	f, err := Parse("ckpt.safetensors", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func filled(n int, v float32) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = v
	}
	return s
}

func TestLoad(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	src := parseTensors(t, []Tensor{
		{Name: "emb", Shape: []int{5, 4}, Data: randomValues(rng, 20)},
		{Name: "ln", Shape: []int{4}, DType: BF16, Data: randomValues(rng, 4)},
		{Name: "lm_head.bias", Shape: []int{5}, Data: randomValues(rng, 5)},
		{Name: "pos_ids", Shape: []int{3}, DType: I64, Raw: make([]byte, 24)},
	})
	params := []Param{
		{Name: "emb", Shape: []int{5, 4}, Data: filled(20, -99)},
		{Name: "ln", Shape: []int{4}, Data: filled(4, -99)},
		{Name: "classifier.weight", Shape: []int{2, 4}, Data: filled(8, -99)},
	}
	r, err := Load(src, params)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Loaded, []string{"emb", "ln"}) || !slices.Equal(r.Missing, []string{"classifier.weight"}) ||
		!slices.Equal(r.Unexpected, []string{"lm_head.bias", "pos_ids"}) || len(r.Mismatched) != 0 {
		t.Errorf("report = %+v", r)
	}
	for _, p := range params[:2] {
		_, want, _ := src.Tensor(p.Name)
		if !slices.Equal(p.Data, want) {
			t.Errorf("%s = %v, want %v", p.Name, p.Data, want)
		}
	}
	if !slices.Equal(params[2].Data, filled(8, -99)) {
		t.Error("a missing parameter was modified")
	}
	if err := r.Err(); err == nil || !strings.Contains(err.Error(), `"classifier.weight"`) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("Report.Err = %v", err)
	}

	// Shape mismatches: nothing is loaded, the error names each tensor and
	// both shapes.
	params = []Param{
		{Name: "emb", Shape: []int{4, 5}, Data: filled(20, -99)},
		{Name: "ln", Shape: []int{4}, Data: filled(4, -99)},
		{Name: "lm_head.bias", Shape: []int{}, Data: filled(1, -99)},
	}
	r, err = Load(src, params)
	if err == nil {
		t.Fatal("Load with mismatched shapes succeeded")
	}
	for _, w := range []string{
		`tensor "emb": the checkpoint has shape [5 4], the model expects [4 5]`,
		`tensor "lm_head.bias": the checkpoint has shape [5], the model expects []`,
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if len(r.Mismatched) != 2 || r.Mismatched[0].Name != "emb" || !slices.Equal(r.Mismatched[0].Got, []int{5, 4}) || len(r.Loaded) != 0 {
		t.Errorf("report = %+v", r)
	}
	for _, p := range params {
		if !slices.Equal(p.Data, filled(len(p.Data), -99)) {
			t.Errorf("%s was modified by a failed Load", p.Name)
		}
	}

	// Caller mistakes and non-float tensors.
	_, err = Load(src, []Param{
		{Name: "emb", Shape: []int{5, 4}, Data: make([]float32, 19)},
		{Name: "ln", Shape: []int{4}, Data: make([]float32, 4)},
		{Name: "ln", Shape: []int{4}, Data: make([]float32, 4)},
		{Name: "pos_ids", Shape: []int{3}, Data: make([]float32, 3)},
	})
	for _, w := range []string{`parameter "emb": shape [5 4] has 20 elements, Data has 19`, `parameter "ln" appears twice`, `tensor "pos_ids": dtype I64`} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v lacks %q", err, w)
		}
	}
}

func TestCheckOnDir(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	tensors := smallModel(rng)
	dir := t.TempDir()
	if err := WriteDir(dir, nil, tensors, &DirOptions{MaxShardBytes: 1000}); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var params []Param
	for _, tt := range tensors {
		params = append(params, Param{Name: tt.Name, Shape: tt.Shape, Data: make([]float32, len(tt.Data))})
	}
	r, err := Load(d, params)
	if err != nil || r.Err() != nil || len(r.Loaded) != len(tensors) || len(r.Unexpected) != 0 {
		t.Fatalf("Load = %+v, %v", r, err)
	}
	for i, tt := range tensors {
		_, want, _ := d.Tensor(tt.Name)
		if !slices.Equal(params[i].Data, want) {
			t.Errorf("%s differs", tt.Name)
		}
	}
}
