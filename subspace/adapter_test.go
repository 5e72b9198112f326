package subspace

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func cloneParams(ps []Param) []Param {
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = Param{Name: p.Name, Shape: append([]int(nil), p.Shape...),
			Data: append([]float32(nil), p.Data...), Grad: make([]float32, len(p.Data))}
	}
	return out
}

// trainedAdapter trains the MLP a few steps in a subspace and saves it.
func trainedAdapter(t *testing.T, method Method, kind Kind) (dir string, base, tuned []Param) {
	r := rand.New(rand.NewPCG(2, uint64(kind)))
	m := newMLP(r, 6, 5, 3, 8)
	base = m.params(r)
	tuned = cloneParams(base)
	d := 20
	s, err := New(Config{Method: method, Kind: kind, D: d, Seed: 123, Include: Exclude("emb")}, tuned)
	if err != nil {
		t.Fatal(err)
	}
	opt := newAdam(d, 0.05)
	g := make([]float32, d)
	for range 20 {
		s.Apply()
		grads := zeros64(tuned)
		m.loss(values64(tuned), grads)
		for _, p := range tuned {
			for i := range p.Grad {
				p.Grad[i] = float32(grads[p.Name][i])
			}
		}
		s.Grad(g)
		opt.step(s.Theta(), g)
	}
	s.Apply()
	dir = t.TempDir()
	if err := s.SaveAdapter(dir, "cafe"); err != nil {
		t.Fatal(err)
	}
	return dir, base, tuned
}

func TestAdapterRoundTrip(t *testing.T) {
	for _, method := range []Method{DID, SAID} {
		for _, kind := range allKinds {
			dir, base, tuned := trainedAdapter(t, method, kind)
			// Load onto a fresh copy of the base, tensors in another order.
			fresh := cloneParams(base)
			fresh[1], fresh[4] = fresh[4], fresh[1]
			s, err := LoadAdapter(dir, fresh, "cafe")
			if err != nil {
				t.Fatalf("%v/%v: %v", method, kind, err)
			}
			byName := map[string][]float32{}
			for _, p := range fresh {
				byName[p.Name] = p.Data
			}
			moved := false
			for _, p := range tuned {
				for i, v := range p.Data {
					if math.Float32bits(byName[p.Name][i]) != math.Float32bits(v) {
						t.Fatalf("%v/%v: %s[%d] = %g after loading, %g after training", method, kind, p.Name, i, byName[p.Name][i], v)
					}
				}
				for i, v := range base[findParam(base, p.Name)].Data {
					moved = moved || v != p.Data[i]
				}
			}
			if !moved {
				t.Fatalf("%v/%v: training did not move the weights", method, kind)
			}
			if s.Counts().Trainable != 20 {
				t.Fatalf("counts %+v", s.Counts())
			}
		}
	}
}

func findParam(ps []Param, name string) int {
	for i, p := range ps {
		if p.Name == name {
			return i
		}
	}
	return -1
}

func TestAdapterWrongBase(t *testing.T) {
	dir, base, _ := trainedAdapter(t, SAID, Fastfood)
	expect := func(what string, ps []Param, ckHash string, want ...string) {
		t.Helper()
		_, err := LoadAdapter(dir, ps, ckHash)
		if err == nil {
			t.Fatalf("%s: loaded", what)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Fatalf("%s: error %q does not mention %q", what, err, w)
			}
		}
	}
	ps := cloneParams(base)
	ps[2].Data[0] += 1e-6 // l1.bias differs slightly
	expect("different values", ps, "", "hash", "different base")
	expect("different checkpoint hash", cloneParams(base), "beef", "cafe", "beef")
	ps = cloneParams(base)
	ps = append(ps[:3], ps[4:]...) // drop l2.weight
	expect("missing tensor", ps, "", `"l2.weight"`)
	ps = cloneParams(base)
	ps[3].Shape = []int{5, 3}
	expect("shape", ps, "", `"l2.weight"`, "[5 3]", "[3 5]")
	// A frozen tensor may differ: it is not part of the adapter.
	ps = cloneParams(base)
	ps[0].Data[0] += 1
	if _, err := LoadAdapter(dir, ps, "cafe"); err != nil {
		t.Fatalf("frozen tensor changed: %v", err)
	}
}

func TestAdapterCorrupt(t *testing.T) {
	dir, base, _ := trainedAdapter(t, DID, Sparse)
	cfgPath := filepath.Join(dir, AdapterConfigFile)
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ from, to, want string }{
		{`"method": "did"`, `"method": "lora"`, "method"},
		{`"projector": "sparse"`, `"projector": "haar"`, "projector"},
		{`"d": 20`, `"d": 21`, "d=21"},
		{`"format": "idim-subspace-adapter"`, `"format": "peft"`, "format"},
	} {
		if !strings.Contains(string(raw), c.from) {
			t.Fatalf("config lacks %q:\n%s", c.from, raw)
		}
		os.WriteFile(cfgPath, []byte(strings.Replace(string(raw), c.from, c.to, 1)), 0o644)
		_, err := LoadAdapter(dir, cloneParams(base), "")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), AdapterConfigFile) {
			t.Fatalf("%s -> %s: error %v", c.from, c.to, err)
		}
	}
	os.WriteFile(cfgPath, raw, 0o644)
	if _, err := LoadAdapter(dir, cloneParams(base), ""); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, AdapterWeightsFile))
	if _, err := LoadAdapter(dir, cloneParams(base), ""); err == nil || !strings.Contains(err.Error(), AdapterWeightsFile) {
		t.Fatalf("missing weights: %v", err)
	}
}
