package subspace

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIncremental: with Config.Incremental the tensors follow the exact
// theta_0 + lambda_t P_t(theta) up to a float32 drift that grows like the
// square root of the number of Applies (bounded here, after K random
// steps, by 8 sqrt(K) 2^-24 times the tensor's largest value), Apply with an unchanged Theta changes
// nothing, and the base hash is theta_0's.
func TestIncremental(t *testing.T) {
	for _, method := range []Method{DID, SAID} {
		r := rand.New(rand.NewPCG(5, 6))
		ps := blockParams(r)
		exact := make([]Param, len(ps))
		for i, p := range ps {
			exact[i] = Param{Name: p.Name, Shape: p.Shape, Data: append([]float32(nil), p.Data...)}
		}
		cfg := Config{Method: method, Kind: FastfoodBlock, D: 300, Seed: 2, LambdaInit: LambdaSize}
		se, err := New(cfg, exact)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Incremental = true
		si, err := New(cfg, ps)
		if err != nil {
			t.Fatal(err)
		}
		he, _ := se.BaseHash()
		hi, _ := si.BaseHash()
		if he != hi {
			t.Fatalf("%v: base hash %s incremental, %s exact", method, hi, he)
		}
		if si.Base("big") != nil {
			t.Fatal("Incremental keeps a copy of theta_0")
		}
		const steps = 100
		for k := 1; k <= steps; k++ {
			for j := range se.Theta() {
				dv := float32(0.01 * r.NormFloat64())
				if j >= se.ProjDim() {
					dv *= 10 // lambdas
				}
				se.Theta()[j] += dv
			}
			copy(si.Theta(), se.Theta())
			se.Apply()
			si.Apply()
			if k%25 != 0 {
				continue
			}
			// Drift in units of 2^-24 (half an ulp at 1) times the
			// tensor's largest value.
			var worst float64
			for i := range ps {
				var top, err float64
				for q, want := range exact[i].Data {
					top = max(top, math.Abs(float64(want)))
					err = max(err, math.Abs(float64(ps[i].Data[q]-want)))
				}
				worst = max(worst, err/(top*0x1p-24))
			}
			if lim := 8 * math.Sqrt(float64(k)); worst > lim {
				t.Fatalf("%v: after %d Applies the drift is %.1f x 2^-24 max|theta_t|, above %.1f", method, k, worst, lim)
			}
			t.Logf("%v: after %d Applies the largest drift is %.2f x 2^-24 max|theta_t|", method, k, worst)
		}
		before := append([]float32(nil), ps[0].Data...)
		si.Apply()
		for q := range before {
			if math.Float32bits(before[q]) != math.Float32bits(ps[0].Data[q]) {
				t.Fatal("Apply with an unchanged Theta changed a value")
			}
		}
	}
	if _, err := New(Config{Kind: Fastfood, D: 5, Incremental: true}, benchParams(benchModels["roberta-tiny"])); err == nil {
		t.Fatal("Incremental accepted with Fastfood")
	}
}
