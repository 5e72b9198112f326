package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"sync/atomic"
	"time"
)

// Synthetic is a fast, deterministic Runner for tests and dry runs of the
// sweep machinery: no model is trained. The dev score of a subspace run is
//
//	Base * (1 - exp(-d/D0)) * lrFactor + Noise * u(seed, d, lr)
//
// with u uniform in [-1, 1] from a hash, lrFactor = 1 at BestLR and
// smaller away from it (in log space); the baseline scores Base + Noise*u.
// Test scores are dev scores minus Gap; train scores dev plus Gap.
type Synthetic struct {
	Base, D0, Noise, Gap float64
	BestLR               float64
	// Diverge makes runs with lr >= Diverge fail (0: never).
	Diverge float64
	// Delay is slept per run (honouring ctx).
	Delay time.Duration
	// LogFile, when set, gets one line per run started ("key spec").
	LogFile string
	// Name goes into the identity (as the model name).
	Name  string
	Count atomic.Int64
	// ChanceDev is reported by Chance (0: NaN, unknown).
	ChanceDev float64
}

// Identity is the synthetic model's.
func (s *Synthetic) Identity(sp Spec) Identity {
	return Identity{Model: "synthetic:" + s.Name, ModelHash: fmt.Sprintf("synthetic-%g-%g-%g-%g", s.Base, s.D0, s.Noise, s.BestLR),
		Task: "synthetic", Hyper: fmt.Sprintf("gap=%g diverge=%g", s.Gap, s.Diverge)}
}

func hash64(v ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, x := range v {
		h ^= x + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h ^= h >> 31
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 29
	}
	return h
}

// unit is a uniform value in [-1, 1] from the spec.
func unit(sp Spec) float64 {
	h := hash64(uint64(sp.D), math.Float64bits(sp.LR), sp.Seed, uint64(len(sp.Method)))
	return float64(h>>11)/float64(1<<53)*2 - 1
}

// Score is the noiseless dev score of a subspace run at d and lr.
func (s *Synthetic) Score(d int, lr float64) float64 {
	f := 1.0
	if s.BestLR > 0 && lr > 0 {
		x := math.Log10(lr / s.BestLR)
		f = math.Exp(-x * x)
	}
	return s.Base * (1 - math.Exp(-float64(d)/s.D0)) * f
}

// Run returns the synthetic scores of sp.
func (s *Synthetic) Run(ctx context.Context, sp Spec) (Outcome, error) {
	s.Count.Add(1)
	if s.LogFile != "" {
		f, err := os.OpenFile(s.LogFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return Outcome{}, err
		}
		fmt.Fprintf(f, "%s %s\n", Key(s.Identity(sp), sp), sp)
		f.Close()
	}
	if s.Delay > 0 {
		select {
		case <-time.After(s.Delay):
		case <-ctx.Done():
			return Outcome{}, ctx.Err()
		}
	}
	nan := Score(math.NaN())
	if s.Diverge > 0 && sp.LR >= s.Diverge && sp.Kind == KindSubspace {
		return Outcome{Dev: nan, Test: nan, Train: nan, Failed: true, Error: "synthetic divergence: loss is NaN"}, nil
	}
	var dev float64
	if sp.Kind == KindBaseline {
		dev = s.Base + s.Noise*unit(sp)
	} else {
		dev = s.Score(sp.D, sp.LR) + s.Noise*unit(sp)
	}
	return Outcome{Dev: Score(dev), Test: Score(dev - s.Gap), Train: Score(dev + s.Gap), Trainable: sp.D,
		AllParams: 1_000_000, TrainSize: 1000, Seconds: s.Delay.Seconds()}, nil
}

// Chance is ChanceDev (NaN when 0).
func (s *Synthetic) Chance() float64 {
	if s.ChanceDev == 0 {
		return math.NaN()
	}
	return s.ChanceDev
}
