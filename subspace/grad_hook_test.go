package subspace

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestWrappedHooksConsume: Wrap's gradient hooks consume each wrapped
// tensor's gradient during loss.Backward (none is left afterwards), and the
// theta gradient has the same bits as without hooks (Close), where
// Backward reads the gradients left on the tensors; two Backward calls
// before one w.Backward add up.
func TestWrappedHooksConsume(t *testing.T) {
	for _, kind := range []Kind{FastfoodBlock, Fastfood, Sparse} {
		for _, method := range []Method{DID, SAID} {
			grads := func(hooks bool, backwards int) []float32 {
				r := rand.New(rand.NewPCG(8, 9))
				m := newMLP(r, 6, 5, 3, 7)
				ag := newAgMLP(m, m.params(r))
				w, err := Wrap(Config{Method: method, Kind: kind, D: 25, Seed: 99, Include: Exclude("emb")}, ag.params)
				if err != nil {
					t.Fatal(err)
				}
				defer w.Close()
				if !hooks {
					w.Close()
				}
				theta := make([]float32, 25)
				for j := range theta {
					theta[j] = float32(0.2 * r.NormFloat64())
				}
				_ = w.Param().SetData(theta)
				w.Apply()
				for range backwards {
					ag.loss().Backward()
					for _, tn := range ag.params[1:] {
						if hooks && tn.Grad() != nil {
							t.Fatalf("%v/%v: %s keeps its gradient after loss.Backward", method, kind, tn.Name())
						}
						if !hooks && tn.Grad() == nil {
							t.Fatalf("%v/%v: %s has no gradient without hooks", method, kind, tn.Name())
						}
					}
				}
				w.Backward()
				return w.Param().Grad().Data()
			}
			a, b := grads(true, 1), grads(false, 1)
			for j := range a {
				if math.Float32bits(a[j]) != math.Float32bits(b[j]) {
					t.Fatalf("%v/%v: theta grad[%d] = %g with hooks, %g without", method, kind, j, a[j], b[j])
				}
			}
			two := grads(true, 2)
			for j := range a {
				if d := math.Abs(float64(two[j] - 2*a[j])); d > 1e-5*(1+math.Abs(float64(a[j]))) {
					t.Fatalf("%v/%v: two Backwards give grad[%d] = %g, want 2 x %g", method, kind, j, two[j], a[j])
				}
			}
		}
	}
}
