package optim_test

import (
	"fmt"

	"github.com/idim-go/idim/autograd"
	"github.com/idim-go/idim/optim"
)

// Fine-tuning with AdamW, HF's weight-decay groups, a linear schedule with
// warm-up and gradient clipping, minimising sum((w - 3)^2) + sum(b^2).
func Example() {
	dev := autograd.CPU()
	w := autograd.NewParameter(dev, "dense.weight", 2)
	b := autograd.NewParameter(dev, "dense.bias", 2)
	target := autograd.Full(dev, 3, 2)

	opt, err := optim.NewAdamW(optim.DecayGroups([]*autograd.Tensor{w, b}, 0.01, optim.DefaultNoDecay),
		optim.AdamConfig{Schedule: optim.Linear{Peak: 0.1, Warmup: 10, Total: 300}})
	if err != nil {
		panic(err)
	}
	var step autograd.Scope
	for i := 0; i < 300; i++ {
		step.Begin()
		d := autograd.Sub(w, target)
		loss := autograd.Add(autograd.SumAll(autograd.Mul(d, d)), autograd.SumAll(autograd.Mul(b, b)))
		loss.Backward()
		opt.ClipGradNorm(1.0) // returns the norm before clipping
		opt.Step()
		opt.ZeroGrad()
		step.End()
	}
	fmt.Printf("w = %.1f, b = %.1f\n", w.Data(), b.Data())
	// Output: w = [3.0 3.0], b = [0.0 0.0]
}
