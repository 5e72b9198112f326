package optim

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/checkpoint"
)

// model is a small set of named parameters in HF style.
type model struct {
	params []*autograd.Tensor
	shapes [][]int
}

func newModel(t testing.TB, seed uint64) *model {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &model{shapes: [][]int{{5, 3}, {5}, {3}, {3}, {2, 2, 2}}}
	names := []string{"dense.weight", "dense.bias", "LayerNorm.weight", "LayerNorm.bias", "frozen.weight"}
	for i, s := range m.shapes {
		n := 1
		for _, d := range s {
			n *= d
		}
		x := make([]float32, n)
		for j := range x {
			x[j] = float32(rng.NormFloat64())
		}
		m.params = append(m.params, newParam(t, names[i], x, s...))
	}
	return m
}

// grads sets step s's gradients (deterministic in s); frozen.weight gets
// none, dense.bias none on odd steps.
func (m *model) grads(t testing.TB, s int) {
	rng := rand.New(rand.NewPCG(uint64(s), 99))
	for i, p := range m.params {
		if i == 4 || (i == 1 && s%2 == 1) {
			p.ZeroGrad()
			continue
		}
		g := make([]float32, p.Len())
		for j := range g {
			g[j] = float32(rng.NormFloat64() * 0.5)
		}
		setGrad(t, p, g)
	}
}

func (m *model) copyFrom(t testing.TB, o *model) {
	for i, p := range m.params {
		if err := p.SetData(o.params[i].Data()); err != nil {
			t.Fatal(err)
		}
	}
}

type optKind struct {
	name string
	make func(groups []Group) (Optimizer, error)
}

var optKinds = []optKind{
	{"sgd", func(g []Group) (Optimizer, error) {
		return NewSGD(g, SGDConfig{LR: 0.1})
	}},
	{"sgd_nesterov", func(g []Group) (Optimizer, error) {
		return NewSGD(g, SGDConfig{Schedule: Linear{Peak: 0.1, Warmup: 2, Total: 20}, Momentum: 0.9, Nesterov: true})
	}},
	{"adam", func(g []Group) (Optimizer, error) {
		return NewAdam(g, AdamConfig{LR: 1e-2})
	}},
	{"adamw", func(g []Group) (Optimizer, error) {
		return NewAdamW(g, AdamConfig{Schedule: Cosine{Peak: 1e-2, Warmup: 3, Total: 20}, Beta2: 0.98, Eps: 1e-6})
	}},
}

// TestSaveLoadResume: K steps, save, a fresh optimizer on a copy of the
// parameters loads the state, and N more steps match an uninterrupted run
// bit for bit (parameters and state).
func TestSaveLoadResume(t *testing.T) {
	const k, n = 3, 5
	for _, kind := range optKinds {
		t.Run(kind.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "optim.safetensors")
			a := newModel(t, 1)
			oa, err := kind.make(DecayGroups(a.params, 0.01, DefaultNoDecay))
			if err != nil {
				t.Fatal(err)
			}
			for s := 0; s < k; s++ {
				a.grads(t, s)
				oa.ClipGradNorm(1)
				oa.Step()
			}
			if err := oa.Save(path); err != nil {
				t.Fatal(err)
			}
			b := newModel(t, 2) // different values, then a copy of a's
			b.copyFrom(t, a)
			ob, err := kind.make(DecayGroups(b.params, 0.01, DefaultNoDecay))
			if err != nil {
				t.Fatal(err)
			}
			if err := ob.Load(path); err != nil {
				t.Fatal(err)
			}
			if ob.Steps() != k || ob.LR() != oa.LR() {
				t.Fatalf("after Load: Steps %d LR %v, want %d %v", ob.Steps(), ob.LR(), k, oa.LR())
			}
			for s := k; s < k+n; s++ {
				a.grads(t, s)
				b.grads(t, s)
				if na, nb := oa.ClipGradNorm(1), ob.ClipGradNorm(1); na != nb {
					t.Fatalf("step %d: norms differ", s)
				}
				oa.Step()
				ob.Step()
				for i := range a.params {
					if err := bitsEqual(a.params[i].Data(), b.params[i].Data()); err != nil {
						t.Fatalf("step %d %s: %v", s, a.params[i].Name(), err)
					}
				}
			}
			sa, sb := stateCore(oa), stateCore(ob)
			for i := range sa.params {
				pa, pb := &sa.params[i], &sb.params[i]
				if pa.step != pb.step {
					t.Errorf("%s: step %d vs %d", pa.name, pa.step, pb.step)
				}
				for j := range sa.bufNames {
					if (pa.bufs[j] == nil) != (pb.bufs[j] == nil) {
						t.Fatalf("%s: state presence differs", pa.name)
					}
					if pa.bufs[j] != nil {
						if err := bitsEqual(pa.bufs[j].Data(), pb.bufs[j].Data()); err != nil {
							t.Errorf("%s.%s: %v", pa.name, sa.bufNames[j], err)
						}
					}
				}
			}
			// frozen.weight never had a gradient: no state, step 0.
			if p := &sb.params[len(sb.params)-1]; p.name == "frozen.weight" && (p.step != 0 || p.bufs[0] != nil) {
				t.Errorf("frozen.weight has state")
			}
		})
	}
}

func stateCore(o Optimizer) *core {
	switch o := o.(type) {
	case *SGD:
		return &o.core
	case *Adam:
		return &o.core
	}
	panic("unknown optimizer")
}

// TestStateFileIsSafetensors: any safetensors reader sees the buffers
// under PyTorch's names and the header in the metadata.
func TestStateFileIsSafetensors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.safetensors")
	m := newModel(t, 1)
	o, _ := NewAdamW(OneGroup(m.params, 0), AdamConfig{LR: 1e-3})
	m.grads(t, 0)
	o.Step()
	if err := o.Save(path); err != nil {
		t.Fatal(err)
	}
	f, err := checkpoint.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := strings.Join(f.Names(), " ")
	for _, want := range []string{"dense.weight.exp_avg", "dense.weight.exp_avg_sq", "LayerNorm.bias.exp_avg_sq"} {
		if !strings.Contains(names, want) {
			t.Errorf("no tensor %s in %s", want, names)
		}
	}
	if strings.Contains(names, "frozen") {
		t.Errorf("state for parameters without gradients: %s", names)
	}
	_, x, _ := f.Tensor("dense.weight.exp_avg")
	want, _ := stateOf32(o, m.params[0], "exp_avg")
	if err := bitsEqual(x, want); err != nil {
		t.Error(err)
	}
	if f.Metadata()["format"] != "idim-optim" {
		t.Errorf("metadata %v", f.Metadata())
	}
}

// TestLoadErrors: every mismatch or damage gives an error that says what,
// and leaves the optimizer as it was.
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	m := newModel(t, 1)
	o, _ := NewAdamW(DecayGroups(m.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
	for s := 0; s < 2; s++ {
		m.grads(t, s)
		o.Step()
	}
	if err := o.Save(good); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flip := func(off int) []byte {
		b := append([]byte(nil), raw...)
		b[off] ^= 0x10
		return b
	}
	// A byte of the data section (the last 4 bytes are a float of some
	// buffer) and a byte inside the header's JSON header string.
	hdr := strings.Index(string(raw), `\"step\":2`)
	if hdr < 0 {
		t.Fatalf("header not found in %q", raw[:200])
	}
	hdrFlip := append([]byte(nil), raw...)
	hdrFlip[hdr+9] = '3' // "step":3 -- valid JSON, wrong checksum

	other := newModel(t, 3)
	otherNames := newModel(t, 3)
	otherNames.params[0].SetName("dense2.weight")
	wrongShape := newModel(t, 3)
	wrongShape.params[2] = newParam(t, "LayerNorm.weight", make([]float32, 4), 4)
	modelFile := filepath.Join(dir, "model.safetensors")
	if err := checkpoint.Write(modelFile, []checkpoint.Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}}, nil); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, path, want string
		opt              func() Optimizer
	}{
		{"missing file", filepath.Join(dir, "nope.safetensors"), "no such file", nil},
		{"empty file", write("empty", nil), "shorter than the 8-byte header", nil},
		{"truncated", write("trunc", raw[:len(raw)-7]), "trunc", nil},
		{"data corrupted", write("data", flip(len(raw)-2)), "checksum mismatch", nil},
		{"header corrupted", write("hdr", hdrFlip), "checksum mismatch", nil},
		{"not a state file", modelFile, "not an optimizer state file", nil},
		{"other kind", good, "state of a adamw optimizer, this one is adam", func() Optimizer {
			x, _ := NewAdam(DecayGroups(other.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
			return x
		}},
		{"other betas", good, "beta2 is 0.999 in the file, 0.98 here", func() Optimizer {
			x, _ := NewAdamW(DecayGroups(other.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3, Beta2: 0.98})
			return x
		}},
		{"other weight decay", good, `"dense.weight" has weight decay 0.01 in the file, 0.1 here`, func() Optimizer {
			x, _ := NewAdamW(DecayGroups(other.params, 0.1, DefaultNoDecay), AdamConfig{LR: 1e-3})
			return x
		}},
		{"other names", good, `not in the file: "dense2.weight"`, func() Optimizer {
			x, _ := NewAdamW(DecayGroups(otherNames.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
			return x
		}},
		{"fewer params", good, `in the file are not in this optimizer: "frozen.weight"`, func() Optimizer {
			x, _ := NewAdamW(DecayGroups(other.params[:4], 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
			return x
		}},
		{"other shape", good, `"LayerNorm.weight" has shape [3] in the file, [4] here`, func() Optimizer {
			x, _ := NewAdamW(DecayGroups(wrongShape.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
			return x
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			target := Optimizer(nil)
			if c.opt != nil {
				target = c.opt()
			} else {
				target, _ = NewAdamW(DecayGroups(other.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
			}
			// Give the target some state of its own, which must survive.
			ps := target.Params()
			for _, p := range ps {
				setGrad(t, p, make([]float32, p.Len()))
			}
			target.Step()
			before := target.Steps()
			err := target.Load(c.path)
			if err == nil {
				t.Fatal("Load succeeded")
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			if target.Steps() != before {
				t.Errorf("failed Load changed the step count")
			}
		})
	}
}

// TestSaveAtomic: a failed save leaves the old file and no temporary.
func TestSaveAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.safetensors")
	m := newModel(t, 1)
	o, _ := NewAdam(OneGroup(m.params, 0), AdamConfig{LR: 1e-3})
	m.grads(t, 0)
	o.Step()
	if err := o.Save(path); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(path)
	if err := o.Save(filepath.Join(dir, "missing-dir", "s.safetensors")); err == nil {
		t.Error("save into a missing directory succeeded")
	}
	o.Step()
	if err := o.Save(path); err != nil {
		t.Fatal(err)
	}
	now, _ := os.ReadFile(path)
	if string(now) == string(old) {
		t.Error("second save did not replace the file")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries, want only the state file", len(ents))
	}
}

// FuzzLoad: whatever the bytes, Load returns (an error, or success on a
// mutation the format does not cover, such as header padding) and never
// panics; a failed Load leaves the state as it was.
func FuzzLoad(f *testing.F) {
	dir := f.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	m := newModel(f, 1)
	o, _ := NewAdamW(DecayGroups(m.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
	m.grads(f, 0)
	o.Step()
	if err := o.Save(good); err != nil {
		f.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	f.Add(raw, 0, byte(0))
	f.Add(raw, 100, byte(1))
	f.Add(raw, len(raw)-1, byte(0x80))
	f.Fuzz(func(t *testing.T, data []byte, off int, x byte) {
		if len(data) > 0 {
			off = ((off % len(data)) + len(data)) % len(data)
			data = append([]byte(nil), data...)
			data[off] ^= x
		}
		path := filepath.Join(t.TempDir(), "f.safetensors")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		target := newModel(t, 2)
		ot, _ := NewAdamW(DecayGroups(target.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
		if err := ot.Load(path); err != nil && ot.Steps() != 0 {
			t.Fatal("failed Load changed the step count")
		}
	})
}

// TestLoadRandomCorruption flips random bytes of a state file: Load must
// fail, except for a flip inside the header's padding that leaves it JSON
// whitespace, and a failed Load leaves the optimizer untouched.
func TestLoadRandomCorruption(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	m := newModel(t, 1)
	o, _ := NewAdamW(DecayGroups(m.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
	m.grads(t, 0)
	o.Step()
	if err := o.Save(good); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(good)
	hdrEnd := 8 + int(binary.LittleEndian.Uint64(raw))
	jsonEnd := bytes.LastIndexByte(raw[:hdrEnd], '}') + 1
	rng := rand.New(rand.NewPCG(1, 2))
	trials := 400
	if testing.Short() {
		trials = 100
	}
	path := filepath.Join(dir, "f.safetensors")
	target := newModel(t, 2)
	ot, _ := NewAdamW(DecayGroups(target.params, 0.01, DefaultNoDecay), AdamConfig{LR: 1e-3})
	for i := 0; i < trials; i++ {
		data := append([]byte(nil), raw...)
		off := rng.IntN(len(data))
		if i%2 == 0 { // half the flips in the header, which is most of the file's logic
			off = rng.IntN(hdrEnd)
		}
		data[off] ^= byte(rng.IntN(255) + 1)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		err := ot.Load(path)
		if err == nil {
			padding := off >= jsonEnd && off < hdrEnd && bytes.IndexByte([]byte(" \t\r\n"), data[off]) >= 0
			if !padding {
				t.Fatalf("byte %d (of %d, header ends at %d) changed from %#x to %#x and Load succeeded", off, len(raw), hdrEnd, raw[off], data[off])
			}
			ot.Release()
			continue
		}
		if ot.Steps() != 0 {
			t.Fatal("failed Load changed the step count")
		}
	}
}
