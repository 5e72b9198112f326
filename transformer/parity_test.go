package transformer

import (
	"fmt"
	"strings"
	"testing"

	"github.com/idim-go/idim/autograd"
)

// The parity tests compare with testdata/fixture.bin (PyTorch, float64 references) using relErr:
// max |got - want| / max |want| over the whole array.
const (
	valueTol = 1e-5
	gradTol  = 1e-4
)

func fixtureBatch(t *testing.T, f *fixture) (Batch, []int32, []int32) {
	ids := f.get(t, "input_ids")
	B, T := ids.Shape[0], ids.Shape[1]
	toI32 := func(v []int) []int32 {
		out := make([]int32, len(v))
		for i, x := range v {
			out[i] = int32(x)
		}
		return out
	}
	b := Batch{B: B, T: T, InputIDs: toI32(ids.I), Attention: toI32(f.get(t, "attention_mask").I),
		TokenType: toI32(f.get(t, "token_type_ids").I)}
	return b, toI32(f.get(t, "labels").I), toI32(f.get(t, "mlm_labels").I)
}

func loadTiny(t *testing.T) *Model {
	t.Helper()
	m, rep, err := Load("testdata/tiny-roberta")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Initialized) != 0 || len(rep.Unused) != 0 {
		t.Fatalf("loading the fixture: %v", rep)
	}
	return m
}

func check(t *testing.T, what string, got *autograd.Tensor, want *fixtureArray, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: no tensor", what)
		return
	}
	if got.Len() != len(want.F) {
		t.Errorf("%s: %v has %d values, reference %v has %d", what, got.Shape(), got.Len(), want.Shape, len(want.F))
		return
	}
	if e := relErr(got.Data(), want.F); e > tol {
		t.Errorf("%s: rel err %.3g > %g", what, e, tol)
	} else {
		t.Logf("%s: rel err %.3g", what, e)
	}
}

func TestParityForward(t *testing.T) {
	f := loadFixture(t)
	m := loadTiny(t)
	if m.Heads != HeadClassifier|HeadMLM || m.Config.NumLabels != 3 {
		t.Fatalf("heads %v labels %d", m.Heads, m.Config.NumLabels)
	}
	b, labels, mlmLabels := fixtureBatch(t, f)
	autograd.NoGrad(func() {
		h, err := m.Encode(b)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "last_hidden_state", h, f.get(t, "last_hidden_state"), valueTol)
		// Without token type ids (all 0) the state is the same.
		b0 := b
		b0.TokenType = nil
		h0, err := m.Encode(b0)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "last_hidden_state (no token types)", h0, f.get(t, "last_hidden_state"), valueTol)
		// EncodeFirst gives the <s> rows of the same state.
		first, err := m.EncodeFirst(b)
		if err != nil {
			t.Fatal(err)
		}
		ref := f.get(t, "last_hidden_state")
		H := m.Config.HiddenSize
		var want []float64
		for s := 0; s < b.B; s++ {
			want = append(want, ref.F[s*b.T*H:s*b.T*H+H]...)
		}
		check(t, "EncodeFirst", first, &fixtureArray{Shape: []int{b.B, 1, H}, F: want}, valueTol)
		logits, err := m.ClassifierLogits(h)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "cls_logits", logits, f.get(t, "cls_logits"), valueTol)
		// Classify: the <s>-rows-only last layer by default, the full one on request.
		for _, full := range []bool{false, true} {
			m.SetFullLastLayer(full)
			cl, err := m.Classify(b)
			if err != nil {
				t.Fatal(err)
			}
			check(t, fmt.Sprintf("Classify (full last layer %v)", full), cl, f.get(t, "cls_logits"), valueTol)
		}
		m.SetFullLastLayer(false)
		loss, err := ClassificationLoss(logits, labels)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "cls_loss", loss, f.get(t, "cls_loss"), valueTol)
		all, err := m.MLMLogits(h, nil)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "mlm_logits", all, f.get(t, "mlm_logits"), valueTol)
		mlm, err := m.MLMLoss(h, mlmLabels)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "mlm_loss", mlm, f.get(t, "mlm_loss"), valueTol)
	})
}

func TestParityGradients(t *testing.T) {
	f := loadFixture(t)
	b, labels, mlmLabels := fixtureBatch(t, f)
	// cls: Encode and ClassifierLogits; cls-full: Classify with the full last layer;
	// cls-first: Classify's default, the last layer on the <s> rows only (EncodeFirst).
	for _, run := range []string{"cls", "cls-full", "cls-first", "mlm"} {
		t.Run(run, func(t *testing.T) {
			which := run
			if strings.HasPrefix(run, "cls") {
				which = "cls"
			}
			m := loadTiny(t)
			bb := b
			if run == "cls-first" {
				bb.TokenType = nil // token type row 0 broadcast instead of gathered
			}
			var loss *autograd.Tensor
			if which == "cls" {
				var logits *autograd.Tensor
				var err error
				switch run {
				case "cls":
					var h *autograd.Tensor
					if h, err = m.Encode(bb); err == nil {
						logits, err = m.ClassifierLogits(h)
					}
				case "cls-full":
					m.SetFullLastLayer(true)
					logits, err = m.Classify(bb)
				default:
					if m.FullLastLayer() {
						t.Fatal("Classify runs the full last layer by default")
					}
					logits, err = m.Classify(bb)
				}
				if err != nil {
					t.Fatal(err)
				}
				loss, err = ClassificationLoss(logits, labels)
				if err != nil {
					t.Fatal(err)
				}
			} else {
				h, err := m.Encode(bb)
				if err != nil {
					t.Fatal(err)
				}
				loss, err = m.MLMLoss(h, mlmLabels)
				if err != nil {
					t.Fatal(err)
				}
			}
			check(t, which+"_loss", loss, f.get(t, which+"_loss"), valueTol)
			loss.Backward()
			// Gradient norm: max |got - want| / max(max |want|, 1e-3 * G), G the largest reference
			// gradient over all parameters: some gradients are zero in exact arithmetic (the key
			// biases: softmax ignores a constant shift) and only rounding noise remains.
			var G float64
			for _, p := range m.Parameters() {
				for _, v := range f.get(t, "grad."+which+"/"+p.Name()).F {
					G = max(G, abs64(v))
				}
			}
			n := 0
			for _, p := range m.Parameters() {
				want := f.get(t, "grad."+which+"/"+p.Name())
				allZero := true
				for _, v := range want.F {
					if v != 0 {
						allZero = false
					}
				}
				g := p.Grad()
				if g == nil {
					if !allZero {
						t.Errorf("%s: no gradient, reference is nonzero", p.Name())
					}
					continue
				}
				if e := relErrFloor(g.Data(), want.F, 1e-3*G); e > gradTol {
					gd := g.Data()
					var mg, mw float64
					for i := range gd {
						mg = max(mg, abs64(float64(gd[i])))
						mw = max(mw, abs64(want.F[i]))
					}
					t.Errorf("grad %s: rel err %.3g > %g (max |got| %g, max |want| %g)", p.Name(), e, gradTol, mg, mw)
				}
				n++
			}
			if n < len(m.Parameters())/2 {
				t.Errorf("only %d of %d parameters got a gradient", n, len(m.Parameters()))
			}
			// The padding rows of the word and position embeddings get no gradient from the
			// embedding lookup (torch.nn.Embedding padding_idx); the fixture checks it above, and
			// this makes sure the fixture's padding rows are indeed zero for the classifier loss.
			if which == "cls" {
				w := f.get(t, "grad.cls/roberta.embeddings.word_embeddings.weight")
				H := m.Config.HiddenSize
				for _, v := range w.F[H*m.Config.PadTokenID : H*(m.Config.PadTokenID+1)] {
					if v != 0 {
						t.Fatalf("fixture: padding row gradient %g", v)
					}
				}
			}
		})
	}
}

func TestLoadNeedsOnlyPath(t *testing.T) {
	// The fixture directory loads with its path alone: config, weights, both heads.
	m, rep, err := Load("testdata/tiny-roberta")
	if err != nil {
		t.Fatal(err)
	}
	if m.NumParams() == 0 || rep.String() == "" {
		t.Fatal("empty model")
	}
	// A .safetensors path with config.json beside it works too.
	if _, _, err := Load("testdata/tiny-roberta/model.safetensors"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load("testdata/no-such-dir"); err == nil || !strings.Contains(err.Error(), "no-such-dir") {
		t.Errorf("missing dir: %v", err)
	}
}

func abs64(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// relErrFloor is relErr with the denominator at least floor.
func relErrFloor(got []float32, want []float64, floor float64) float64 {
	var maxDiff, maxRef float64
	for i, w := range want {
		d := abs64(float64(got[i]) - w)
		if d != d {
			return d
		}
		maxDiff = max(maxDiff, d)
		maxRef = max(maxRef, abs64(w))
	}
	return maxDiff / max(maxRef, floor)
}
