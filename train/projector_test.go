package train

import "testing"

// TestProjectorNames: every subspace projector name resolves; others fail.
func TestProjectorNames(t *testing.T) {
	for _, p := range []string{"fastfood", "fastfood-block", "fastfood-split", "dense", "sparse"} {
		if _, err := (Config{Method: MethodSAID, D: 10, Projector: p}).Resolve(); err != nil {
			t.Fatalf("projector %q: %v", p, err)
		}
	}
	if _, err := (Config{Method: MethodDID, D: 10, Projector: "fastfood-blocks"}).Resolve(); err == nil {
		t.Fatal("projector fastfood-blocks accepted")
	}
}
