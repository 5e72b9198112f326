// Package autograd is idim's tensor library and reverse-mode automatic
// differentiation engine.
//
// # Tensors and devices
//
// A Tensor is a shape plus float32 storage that belongs to a Device. The
// CPU device (CPU(), registered as "cpu") is the default and always present;
// other devices register themselves in an init function (Register) and are
// picked with Open(name): an explicit name, else $IDIM_DEVICE, else "cpu".
// Ops never touch host memory directly: they call the device's kernels
// (Device), so a whole training step can stay on an accelerator and only
// scalars (Item) need to come back. A device that lacks a kernel says so in
// Supports and Open wraps it so that kernel runs on the CPU (WithFallback),
// with one log line.
//
//	dev, err := autograd.Open("")                  // $IDIM_DEVICE or cpu
//	x, err := autograd.FromSlice(dev, data, 8, 768)  // copies data
//	w := autograd.NewParameter(dev, "dense.weight", 3072, 768)
//	w.SetData(values)                                // upload
//	y := autograd.GELU(autograd.Linear(x, w, b))
//	fmt.Println(y.Data())                            // download
//
// Tensors are contiguous and row-major. Reshape (and Slice along a leading
// axis) return views that share storage; every other op writes a new tensor,
// so transposes are explicit copies (Permute), except inside MatMul, which
// reads transposed operands in place through the GEMM's flags.
//
// # Gradients
//
// An op records itself on the tape when one of its inputs requires a
// gradient (parameters do; SetRequiresGrad makes any leaf do) and recording
// is on (it is off inside NoGrad and after SetGradEnabled(false)).
// Backward on a one-element result runs the tape backwards and adds the
// gradient into each leaf's Grad; BackwardWith takes a seed gradient for a
// result of any shape. Gradients accumulate over Backward calls until
// ZeroGrad. Backward frees the graph: intermediate results keep their values
// but become constants, and their gradients are dropped as soon as they have
// been used; a later Backward that reaches such a tensor through a new op
// panics instead of silently dropping the gradient that would have flowed
// through the freed graph (add the losses first, or Detach). Higher-order
// gradients are not supported.
//
//	loss := autograd.CrossEntropy(logits, labels)
//	loss.Backward()
//	g := w.Grad() // same shape as w, on w's device
//
// Ops panic with an *OpError for operands they cannot take (shapes that do
// not fit, ids out of range); Catch turns that into an error. Function and
// Apply add ops from other packages.
//
// # Memory
//
// Storage is returned to its device by Release, by ZeroGrad (gradients), or
// in bulk by a Scope: every tensor that ops (and Empty, Zeros, Full,
// FromSlice) make while a scope is active belongs to it, and Scope.End
// releases them all. The CPU device caches released buffers by size class,
// so a training loop that reuses one Scope reaches a steady state in which a
// step allocates (almost) nothing, Tensor structs and graph nodes included:
//
//	var step autograd.Scope
//	for ... {
//		step.Begin()
//		loss := model.Loss(batch)
//		loss.Backward()
//		opt.Step()
//		step.End()
//	}
//
// Keep moves a result (and the graph it still needs) out of a scope.
// Parameters, gradients and NewState tensors (optimizer moments) never
// belong to a scope. Scopes and the recording switch are process-wide: build graphs
// from one goroutine at a time (kernels run in parallel internally). Set
// IDIM_AUTOGRAD_DEBUG=1 to turn a use of a tensor after its scope ended
// into a panic (see RecycleTensors).
//
// # Optimizers
//
// AdamUpdate runs the fused Adam/AdamW kernel on a parameter, its gradient
// and two NewState moment tensors; GradSquaredNorm and ScaleGrads serve
// gradient clipping, with one scalar read back per step.
//
// # Checking
//
// CheckGrad compares an op's gradient with central differences of a float64
// reference (and of the op itself). The package autograd/devicetest holds
// one case per op and runs them on any device against the CPU device.
package autograd
