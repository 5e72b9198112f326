package subspace

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLambdaInitString(t *testing.T) {
	for _, l := range []LambdaInit{LambdaOne, LambdaSize} {
		got, err := ParseLambdaInit(strings.ToUpper(l.String()))
		if err != nil || got != l {
			t.Fatalf("ParseLambdaInit(%q) = %v, %v", l.String(), got, err)
		}
	}
	if _, err := ParseLambdaInit("sqrt"); err == nil || !strings.Contains(err.Error(), "sqrt") {
		t.Fatalf("ParseLambdaInit(sqrt): %v", err)
	}
}

// TestLambdaInitSize: LambdaSize starts lambda_t at sqrt(n_t/n_max) over the
// wrapped tensors (float64 reference), theta_{d-m} at 0, and the model
// still starts bit-identically at theta_0; LambdaOne starts at 1; DID has
// no lambdas whatever the choice.
func TestLambdaInitSize(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	m := newMLP(r, 6, 5, 3, 1)
	for _, method := range []Method{DID, SAID} {
		for _, li := range []LambdaInit{LambdaOne, LambdaSize} {
			for _, include := range []func(string) bool{nil, Exclude("emb", "w1")} {
				ps := m.params(r)
				orig := values64(ps)
				s, err := New(Config{Method: method, Kind: FastfoodSplit, D: 30, Seed: 1, LambdaInit: li, Include: include}, ps)
				if err != nil {
					t.Fatal(err)
				}
				if s.Config().LambdaInit != li {
					t.Fatalf("Config().LambdaInit = %v", s.Config().LambdaInit)
				}
				lam := s.Lambdas()
				if method == DID {
					if lam != nil || len(s.Theta()) != 30 {
						t.Fatalf("DID: lambdas %v", lam)
					}
				} else {
					infos := s.Tensors()
					if len(lam) != len(infos) || s.ProjDim() != 30-len(infos) {
						t.Fatalf("%d lambdas over %d tensors, proj dim %d", len(lam), len(infos), s.ProjDim())
					}
					ns := make([]float64, len(infos))
					nmax := 0.0
					for i, ti := range infos {
						ns[i] = 1
						for _, dim := range ti.Shape {
							ns[i] *= float64(dim)
						}
						nmax = math.Max(nmax, ns[i])
					}
					distinct := map[float32]bool{}
					for i, l := range lam {
						want := 1.0
						if li == LambdaSize {
							want = math.Sqrt(ns[i] / nmax)
						}
						if math.Abs(float64(l)-want) > 1e-7*want {
							t.Fatalf("%v: lambda for %s (n=%g, n_max=%g) starts at %g, want %g", li, infos[i].Name, ns[i], nmax, l, want)
						}
						distinct[l] = true
					}
					if li == LambdaSize && len(distinct) < 2 {
						t.Fatalf("size init gave equal lambdas %v", lam)
					}
				}
				for j, v := range s.Theta()[:s.ProjDim()] {
					if v != 0 {
						t.Fatalf("theta[%d] starts at %g", j, v)
					}
				}
				s.Apply()
				for _, p := range ps {
					for i, x := range p.Data {
						if float64(x) != orig[p.Name][i] {
							t.Fatalf("%v/%v: %s[%d] moved at step 0", method, li, p.Name, i)
						}
					}
				}
			}
		}
	}
	if _, err := New(Config{Method: SAID, D: 30, LambdaInit: 7}, m.params(r)); err == nil {
		t.Fatal("New accepted LambdaInit(7)")
	}
}

// TestAdapterLambdaInit: the adapter records the lambda init for SAID, an
// adapter without the field (as written before it existed) loads as
// "one" and bit-identically, and a bad value is an error naming the field.
func TestAdapterLambdaInit(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	m := newMLP(r, 6, 5, 3, 1)
	base := m.params(r)
	tuned := cloneParams(base)
	s, err := New(Config{Method: SAID, Kind: Fastfood, D: 20, Seed: 3, LambdaInit: LambdaSize}, tuned)
	if err != nil {
		t.Fatal(err)
	}
	for j := range s.ProjDim() {
		s.Theta()[j] = float32(0.1 * r.NormFloat64())
	}
	s.Apply()
	dir := t.TempDir()
	if err := s.SaveAdapter(dir, ""); err != nil {
		t.Fatal(err)
	}
	a, err := ReadAdapter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a.Config.LambdaInit != "size" {
		t.Fatalf("adapter lambda_init %q, want size", a.Config.LambdaInit)
	}
	cfgPath := filepath.Join(dir, AdapterConfigFile)
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	check := func(want LambdaInit) {
		t.Helper()
		fresh := cloneParams(base)
		s2, err := LoadAdapter(dir, fresh, "")
		if err != nil {
			t.Fatal(err)
		}
		if s2.Config().LambdaInit != want {
			t.Fatalf("loaded lambda init %v, want %v", s2.Config().LambdaInit, want)
		}
		for i, p := range tuned {
			for k, v := range p.Data {
				if math.Float32bits(fresh[i].Data[k]) != math.Float32bits(v) {
					t.Fatalf("%s[%d] = %g after loading, %g trained", p.Name, k, fresh[i].Data[k], v)
				}
			}
		}
	}
	check(LambdaSize)
	write := func() {
		b, err := json.Marshal(fields)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	delete(fields, "lambda_init")
	write()
	check(LambdaOne)
	fields["lambda_init"] = "half"
	write()
	if _, err := ReadAdapter(dir); err == nil || !strings.Contains(err.Error(), "lambda_init") {
		t.Fatalf("ReadAdapter with lambda_init half: %v", err)
	}
}
