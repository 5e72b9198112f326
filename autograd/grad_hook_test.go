package autograd

import (
	"math"
	"testing"
)

// TestGradHook: a hook runs once per Backward, after the last op that uses
// its leaf, and sees the final gradient (the same as without the hook);
// dropping the gradient in the hook does not disturb the rest of the pass.
func TestGradHook(t *testing.T) {
	dev := CPU()
	mk := func() (w, b, x *Tensor) {
		w = NewParameter(dev, "w", 3, 4)
		b = NewParameter(dev, "b", 3)
		_ = w.SetData([]float32{0.1, -0.2, 0.3, 0.4, -0.5, 0.6, 0.7, -0.8, 0.9, 0.15, 0.25, -0.35})
		_ = b.SetData([]float32{0.05, -0.1, 0.2})
		x = MustFromSlice(dev, []float32{1, 2, -1, 0.5, -2, 1, 0.25, 3}, 2, 4)
		return
	}
	// w is used by two ops (both Linear calls); b by the first only.
	loss := func(w, b, x *Tensor) *Tensor {
		h := Tanh(Linear(x, w, b))
		h2 := Linear(x, w, nil)
		return SumAll(Mul(Add(h, h2), Add(h, h2)))
	}
	w0, b0, x0 := mk()
	loss(w0, b0, x0).Backward()
	wantW, wantB := w0.Grad().Data(), b0.Grad().Data()

	w, b, x := mk()
	var gotW, gotB []float32
	calls := map[string]int{}
	w.SetGradHook(func(p *Tensor) {
		calls["w"]++
		gotW = p.Grad().Data()
		p.ZeroGrad()
	})
	b.SetGradHook(func(p *Tensor) {
		calls["b"]++
		gotB = p.Grad().Data()
	})
	defer w.SetGradHook(nil)
	defer b.SetGradHook(nil)
	loss(w, b, x).Backward()
	if calls["w"] != 1 || calls["b"] != 1 {
		t.Fatalf("hook calls %v, want one each", calls)
	}
	eq := func(name string, got, want []float32) {
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s grad[%d] = %g in the hook, %g without hooks", name, i, got[i], want[i])
			}
		}
	}
	eq("w", gotW, wantW)
	eq("b", gotB, wantB)
	if w.Grad() != nil {
		t.Fatal("w's gradient survived ZeroGrad in its hook")
	}
	eq("b (after)", b.Grad().Data(), wantB)
	// A second Backward runs the hooks again; a removed hook does not run.
	b.SetGradHook(nil)
	loss(w, b, x).Backward()
	if calls["w"] != 2 || calls["b"] != 1 {
		t.Fatalf("hook calls %v after a second Backward, want w 2, b 1", calls)
	}
}

// TestGradHookEarly: the hook of a leaf used only near the output runs
// before the ops further back (its gradient can be freed early).
func TestGradHookEarly(t *testing.T) {
	dev := CPU()
	a := NewParameter(dev, "a", 4)
	c := NewParameter(dev, "c", 4)
	_ = a.SetData([]float32{1, 2, 3, 4})
	_ = c.SetData([]float32{0.5, 0.5, -1, 2})
	var order []string
	a.SetGradHook(func(*Tensor) { order = append(order, "a") })
	c.SetGradHook(func(*Tensor) { order = append(order, "c") })
	defer a.SetGradHook(nil)
	defer c.SetGradHook(nil)
	// loss = sum(tanh(a) * c): c's only use is the last op.
	SumAll(Mul(Tanh(a), c)).Backward()
	if len(order) != 2 || order[0] != "c" || order[1] != "a" {
		t.Fatalf("hook order %v, want [c a]", order)
	}
}

// TestRowGradHook: a table whose only use in a Backward is one Embedding
// hands its gradient to the row hook (ids and rows whose scatter-add into
// zeros is the dense gradient, bit for bit) and keeps no Grad; used twice,
// or with a gradient already there, it gets the dense gradient and the
// hook is not called.
func TestRowGradHook(t *testing.T) {
	dev := CPU()
	ids := []int32{3, 7, 3, 0, 19, 7, 7}
	mk := func() *Tensor {
		w := NewParameter(dev, "table", 20, 5)
		v := make([]float32, 100)
		for i := range v {
			v[i] = float32(math.Sin(float64(i)))
		}
		_ = w.SetData(v)
		return w
	}
	loss := func(w *Tensor, twice bool) *Tensor {
		e := Embedding(w, ids)
		l := SumAll(Mul(Tanh(e), e))
		if twice {
			l = Add(l, SumAll(Mul(w, w)))
		}
		return l
	}
	for _, twice := range []bool{false, true} {
		ref := mk()
		loss(ref, twice).Backward()
		want := ref.Grad().Data()

		w := mk()
		calls := 0
		var got []float32
		w.SetRowGradHook(func(hid []int32, g *Tensor) {
			calls++
			got = make([]float32, 100)
			gv := g.Data()
			for i, id := range hid {
				for j := range 5 {
					got[int(id)*5+j] += gv[i*5+j]
				}
			}
		})
		loss(w, twice).Backward()
		if twice {
			if calls != 0 || w.Grad() == nil {
				t.Fatalf("used twice: %d row hook calls, grad %v", calls, w.Grad())
			}
			got = w.Grad().Data()
		} else if calls != 1 || w.Grad() != nil {
			t.Fatalf("used once: %d row hook calls, grad %v", calls, w.Grad())
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("twice=%v: grad[%d] = %g, want %g", twice, i, got[i], want[i])
			}
		}
		// A gradient already there: the next Backward adds to it densely.
		if !twice {
			w.SetRowGradHook(nil)
			loss(w, false).Backward() // dense, no hook
			w.SetRowGradHook(func([]int32, *Tensor) { calls++ })
			loss(w, false).Backward()
			if calls != 1 || w.Grad() == nil {
				t.Fatalf("with a gradient there: %d row hook calls, grad %v", calls, w.Grad())
			}
			w.SetRowGradHook(nil)
		}
	}
}

// TestEmbeddingPad: EmbeddingPad gathers like Embedding, and its gradient
// (dense, or through the row hook) is Embedding's with the pad positions'
// output gradient zeroed: the pad row gets nothing, the rest the same bits.
func TestEmbeddingPad(t *testing.T) {
	dev := CPU()
	ids := []int32{3, 1, 7, 3, 1, 0, 19, 7, 1}
	const pad = 1
	mk := func() *Tensor {
		w := NewParameter(dev, "table", 20, 5)
		v := make([]float32, 100)
		for i := range v {
			v[i] = float32(math.Cos(float64(3 * i)))
		}
		_ = w.SetData(v)
		return w
	}
	keep := make([]float32, len(ids)*5)
	for i, id := range ids {
		if id != pad {
			for j := range 5 {
				keep[i*5+j] = 1
			}
		}
	}
	// Reference: Embedding with the output gradient masked by keep.
	ref := mk()
	e := Embedding(ref, ids)
	SumAll(Mul(Mul(Tanh(e), e), MustFromSlice(dev, keep, len(ids), 5))).Backward()
	want := ref.Grad().Data()
	loss := func(w *Tensor) *Tensor {
		e := EmbeddingPad(w, ids, pad)
		if got, ref := e.Data(), Embedding(w, ids).Data(); !slicesEqualBits(got, ref) {
			t.Fatalf("EmbeddingPad gathers %v, Embedding %v", got, ref)
		}
		// Without the mask: EmbeddingPad must drop the pad rows itself.
		return SumAll(Mul(Tanh(e), e))
	}
	w := mk()
	loss(w).Backward()
	if got := w.Grad().Data(); !slicesEqualBits(got, want) {
		t.Fatalf("dense: grad %v, want %v", got, want)
	}
	w = mk()
	var got []float32
	w.SetRowGradHook(func(hid []int32, g *Tensor) {
		got = make([]float32, 100)
		gv := g.Data()
		for i, id := range hid {
			for j := range 5 {
				got[int(id)*5+j] += gv[i*5+j]
			}
		}
	})
	loss(w).Backward()
	if w.Grad() != nil || !slicesEqualBits(got, want) {
		t.Fatalf("row hook: grad %v, rows give %v, want %v", w.Grad(), got, want)
	}
	w.SetRowGradHook(nil)
}

func slicesEqualBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}
