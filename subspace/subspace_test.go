package subspace

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// mlp is a tiny classifier computed in float64:
// logits = temp * (W2 tanh(W1 x + b1) + b2), mean cross-entropy loss.
// "emb" is a tensor the loss ignores (frozen by the filter in tests).
type mlp struct {
	in, hid, out int
	x            [][]float64
	y            []int
}

func newMLP(r *rand.Rand, in, hid, out, batch int) *mlp {
	m := &mlp{in: in, hid: hid, out: out}
	for range batch {
		x := make([]float64, in)
		for i := range x {
			x[i] = r.NormFloat64()
		}
		m.x = append(m.x, x)
		m.y = append(m.y, r.IntN(out))
	}
	return m
}

func (m *mlp) params(r *rand.Rand) []Param {
	mk := func(name string, shape ...int) Param {
		n := 1
		for _, s := range shape {
			n *= s
		}
		p := Param{Name: name, Shape: shape, Data: make([]float32, n), Grad: make([]float32, n)}
		for i := range p.Data {
			p.Data[i] = float32(0.5 * r.NormFloat64())
		}
		return p
	}
	ps := []Param{
		mk("emb", 5, 3),
		mk("l1.weight", m.hid, m.in), mk("l1.bias", m.hid),
		mk("l2.weight", m.out, m.hid), mk("l2.bias", m.out),
		mk("temp", 1),
	}
	ps[5].Data[0] = 1.3
	return ps
}

// loss computes the loss and, when grads is non-nil, its gradient with
// respect to every tensor (same names), from float64 values.
func (m *mlp) loss(v map[string][]float64, grads map[string][]float64) float64 {
	w1, b1, w2, b2, temp := v["l1.weight"], v["l1.bias"], v["l2.weight"], v["l2.bias"], v["temp"][0]
	var total float64
	h := make([]float64, m.hid)
	z := make([]float64, m.out)
	for s, x := range m.x {
		for i := range m.hid {
			a := b1[i]
			for j := range m.in {
				a += w1[i*m.in+j] * x[j]
			}
			h[i] = math.Tanh(a)
		}
		mx := math.Inf(-1)
		for o := range m.out {
			a := b2[o]
			for i := range m.hid {
				a += w2[o*m.hid+i] * h[i]
			}
			z[o] = a
			mx = math.Max(mx, temp*a)
		}
		var se float64
		for o := range m.out {
			se += math.Exp(temp*z[o] - mx)
		}
		lse := mx + math.Log(se)
		total += lse - temp*z[m.y[s]]
		if grads == nil {
			continue
		}
		bs := float64(len(m.x))
		for o := range m.out {
			dl := math.Exp(temp*z[o]-lse) / bs // d loss / d (temp z_o)
			if o == m.y[s] {
				dl -= 1 / bs
			}
			grads["temp"][0] += dl * z[o]
			dz := dl * temp
			grads["l2.bias"][o] += dz
			for i := range m.hid {
				grads["l2.weight"][o*m.hid+i] += dz * h[i]
			}
		}
		for i := range m.hid {
			var dh float64
			for o := range m.out {
				dl := math.Exp(temp*z[o]-lse) / bs
				if o == m.y[s] {
					dl -= 1 / bs
				}
				dh += dl * temp * w2[o*m.hid+i]
			}
			da := dh * (1 - h[i]*h[i])
			grads["l1.bias"][i] += da
			for j := range m.in {
				grads["l1.weight"][i*m.in+j] += da * x[j]
			}
		}
	}
	return total / float64(len(m.x))
}

func values64(ps []Param) map[string][]float64 {
	v := map[string][]float64{}
	for _, p := range ps {
		f := make([]float64, len(p.Data))
		for i, x := range p.Data {
			f[i] = float64(x)
		}
		v[p.Name] = f
	}
	return v
}

func zeros64(ps []Param) map[string][]float64 {
	v := map[string][]float64{}
	for _, p := range ps {
		v[p.Name] = make([]float64, len(p.Data))
	}
	return v
}

// TestMLPGrad checks the test model's own gradient by finite differences.
func TestMLPGrad(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	m := newMLP(r, 4, 3, 3, 5)
	ps := m.params(r)
	v := values64(ps)
	g := zeros64(ps)
	m.loss(v, g)
	for name, vals := range v {
		for i := range vals {
			old := vals[i]
			vals[i] = old + 1e-6
			lp := m.loss(v, nil)
			vals[i] = old - 1e-6
			lm := m.loss(v, nil)
			vals[i] = old
			if fd := (lp - lm) / 2e-6; math.Abs(fd-g[name][i]) > 1e-6*(1+math.Abs(fd)) {
				t.Fatalf("%s[%d]: analytic %g fd %g", name, i, g[name][i], fd)
			}
		}
	}
}

// reference is theta_t = base + lambda_t * sum_j theta_j col_j in float64,
// with col_j = P_t e_j read from the projector.
type reference struct {
	cols  map[string][][]float64
	base  map[string][]float64
	names []string
}

func newReference(s *Subspace) *reference {
	r := &reference{cols: map[string][][]float64{}, base: map[string][]float64{}}
	for _, w := range s.tensors {
		r.names = append(r.names, w.info.Name)
		r.cols[w.info.Name] = denseOf(w.proj)
		b := make([]float64, len(w.base))
		for i, x := range w.base {
			b[i] = float64(x)
		}
		r.base[w.info.Name] = b
	}
	return r
}

// values fills v's wrapped tensors from theta (float64 copy of Theta()).
func (r *reference) values(s *Subspace, theta []float64, v map[string][]float64) {
	dp := s.ProjDim()
	for t, name := range r.names {
		lam := 1.0
		if s.cfg.Method == SAID {
			lam = theta[dp+t]
		}
		out := v[name]
		copy(out, r.base[name])
		for j, col := range r.cols[name] {
			for i, c := range col {
				out[i] += lam * theta[j] * c
			}
		}
	}
}

func TestGradFiniteDifferences(t *testing.T) {
	for _, method := range []Method{DID, SAID} {
		for _, kind := range allKinds {
			for _, d := range []int{1, 9, 40} {
				if method == SAID && d <= 5 {
					continue
				}
				t.Run(fmt.Sprintf("%v/%v/d=%d", method, kind, d), func(t *testing.T) {
					checkGradFD(t, method, kind, d)
				})
			}
		}
	}
}

func checkGradFD(t *testing.T, method Method, kind Kind, d int) {
	r := rand.New(rand.NewPCG(uint64(d), uint64(kind)))
	m := newMLP(r, 6, 5, 3, 7)
	ps := m.params(r)
	emb := append([]float32(nil), ps[0].Data...)
	s, err := New(Config{Method: method, Kind: kind, D: d, Seed: 77, Include: Exclude("emb")}, ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tensors()) != 5 {
		t.Fatalf("wrapped %d tensors, want 5", len(s.Tensors()))
	}
	theta := s.Theta()
	for j := range theta {
		theta[j] = float32(0.3 * r.NormFloat64())
	}
	for t := range s.Lambdas() {
		s.Lambdas()[t] = float32(1 + 0.5*r.NormFloat64())
	}
	s.Apply()
	ref := newReference(s)
	th64 := make([]float64, d)
	for j, v := range theta {
		th64[j] = float64(v)
	}
	// Forward: Apply agrees with the float64 reference; "emb" is untouched.
	v := values64(ps)
	ref.values(s, th64, v)
	for _, p := range ps {
		for i, x := range p.Data {
			if want := v[p.Name][i]; math.Abs(float64(x)-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("Apply: %s[%d] = %g, want %g", p.Name, i, x, want)
			}
		}
	}
	for i := range emb {
		if ps[0].Data[i] != emb[i] {
			t.Fatal("Apply changed the frozen tensor emb")
		}
	}
	// Backward: parameter gradients at the applied values, then Grad.
	g := zeros64(ps)
	m.loss(values64(ps), g)
	for _, p := range ps {
		for i := range p.Grad {
			p.Grad[i] = float32(g[p.Name][i])
		}
	}
	got := make([]float32, d)
	for i := range got {
		got[i] = float32(math.NaN())
	}
	s.Grad(got)
	// Finite differences of the float64 map theta -> loss.
	lossAt := func(th []float64) float64 {
		ref.values(s, th, v)
		return m.loss(v, nil)
	}
	const eps = 1e-6
	for j := range d {
		old := th64[j]
		th64[j] = old + eps
		lp := lossAt(th64)
		th64[j] = old - eps
		lm := lossAt(th64)
		th64[j] = old
		fd := (lp - lm) / (2 * eps)
		if math.Abs(float64(got[j])-fd) > 2e-5*(1+math.Abs(fd)) {
			t.Fatalf("d/dtheta[%d]: Grad %g, finite differences %g", j, got[j], fd)
		}
	}
	c := s.Counts()
	if c.Trainable != d || c.All != 15+6*5+5+3*5+3+1 || c.Wrapped != c.All-15 {
		t.Fatalf("counts %+v", c)
	}
	if want := fmt.Sprintf("trainable params: %d || all params: %d || trainable%%: ", d, c.All); !strings.HasPrefix(s.Summary(), want) {
		t.Fatalf("summary %q", s.Summary())
	}
}

// TestStartsAtTheta0: theta_d = 0 (and lambda = 1) reproduce theta_0
// bit-identically.
func TestStartsAtTheta0(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	m := newMLP(r, 6, 5, 3, 1)
	for _, method := range []Method{DID, SAID} {
		ps := m.params(r)
		orig := values64(ps)
		s, err := New(Config{Method: method, Kind: Fastfood, D: 30, Seed: 1}, ps)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range s.Lambdas() {
			if l != 1 {
				t.Fatalf("lambda starts at %g", l)
			}
		}
		s.Apply()
		for _, p := range ps {
			for i, x := range p.Data {
				if float64(x) != orig[p.Name][i] {
					t.Fatalf("%v: %s[%d] moved at theta_d = 0", method, p.Name, i)
				}
			}
		}
	}
}

func TestNewErrors(t *testing.T) {
	p := func() []Param {
		return []Param{{Name: "a", Shape: []int{2, 3}, Data: make([]float32, 6)}, {Name: "b", Shape: []int{4}, Data: make([]float32, 4)}}
	}
	cases := []struct {
		name string
		cfg  Config
		ps   func() []Param
		want string
	}{
		{"d=0", Config{D: 0}, p, "d=0"},
		{"said d<=m", Config{Method: SAID, D: 2}, p, "SAID"},
		{"shape", Config{D: 3}, func() []Param { ps := p(); ps[0].Shape = []int{7}; return ps }, `"a"`},
		{"dup", Config{D: 3}, func() []Param { ps := p(); ps[1].Name = "a"; return ps }, "twice"},
		{"none", Config{D: 3, Include: func(string) bool { return false }}, p, "no parameter"},
		{"base", Config{D: 3}, func() []Param { ps := p(); ps[1].Base = make([]float32, 3); return ps }, "Base"},
		{"kind", Config{D: 3, Kind: 7}, p, "kind"},
	}
	for _, c := range cases {
		_, err := New(c.cfg, c.ps())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// TestBaseView: a Param.Base is used as theta_0 without a copy.
func TestBaseView(t *testing.T) {
	base := []float32{1, 2, 3, 4}
	ps := []Param{{Name: "w", Shape: []int{4}, Data: make([]float32, 4), Base: base}}
	s, err := New(Config{Kind: Dense, D: 2, Seed: 3}, ps)
	if err != nil {
		t.Fatal(err)
	}
	if &s.Base("w")[0] != &base[0] {
		t.Fatal("Base was copied")
	}
	s.Apply()
	for i := range base {
		if ps[0].Data[i] != base[i] {
			t.Fatalf("Data %v, want %v", ps[0].Data, base)
		}
	}
}

// TestSteadyStateNoAlloc: Apply and Grad allocate nothing once built (for
// tensors below the size at which fwht's parallel transform takes over).
func TestSteadyStateNoAlloc(t *testing.T) {
	for _, kind := range allKinds {
		ps := benchParams(robertaShapes(50, 20, 16, 2, 64, 2))
		s, err := New(Config{Method: SAID, Kind: kind, D: 200, Seed: 1}, ps)
		if err != nil {
			t.Fatal(err)
		}
		g := make([]float32, 200)
		if n := testing.AllocsPerRun(5, func() { s.Apply(); s.Grad(g) }); n != 0 {
			t.Fatalf("%v: %g allocations per Apply+Grad", kind, n)
		}
	}
}

// TestGradDeterministic: Grad gives the same bits whatever the number of
// workers (the sums are grouped independently of the scheduling).
func TestGradDeterministic(t *testing.T) {
	for _, kind := range []Kind{Fastfood, Sparse, FastfoodBlock} {
		var ref []float32
		for _, threads := range []int{1, 2, 3, 0, 1} {
			ps := benchParams(robertaShapes(50, 20, 16, 2, 64, 2))
			s, err := New(Config{Method: SAID, Kind: kind, D: 500, Seed: 1, Threads: threads}, ps)
			if err != nil {
				t.Fatal(err)
			}
			for j := range s.ProjDim() {
				s.Theta()[j] = float32(j%5) - 2
			}
			g := make([]float32, 500)
			s.Apply()
			s.Grad(g)
			if ref == nil {
				ref = g
				continue
			}
			for j := range g {
				if math.Float32bits(g[j]) != math.Float32bits(ref[j]) {
					t.Fatalf("%v threads=%d: grad[%d] = %g, with 1 thread %g", kind, threads, j, g[j], ref[j])
				}
			}
		}
	}
}
