package kernels

import (
	"math"
	"testing"
)

// TestNormCDFAccuracy bounds the error of the float32 normal CDF behind
// GELU: absolute error of Phi (and of phi) below 1.5e-7 everywhere on
// [-12, 12], which makes GELU's error at most 1.5e-7*|x| + 1 ulp.
func TestNormCDFAccuracy(t *testing.T) {
	var worstC, worstP float64
	for x := -12.0; x <= 12; x += 1e-3 {
		xf := float32(x)
		c, p := normCDF32(xf)
		u := float64(xf)
		wc := 0.5 * math.Erfc(-u/math.Sqrt2)
		wp := math.Exp(-u*u/2) / math.Sqrt(2*math.Pi)
		worstC = math.Max(worstC, math.Abs(float64(c)-wc))
		worstP = math.Max(worstP, math.Abs(float64(p)-wp))
	}
	t.Logf("max |Phi error| %.3g, max |phi error| %.3g", worstC, worstP)
	if worstC > 1.5e-7 || worstP > 1.5e-7 {
		t.Fatalf("Phi error %.3g, phi error %.3g", worstC, worstP)
	}
}
