// Package optim holds idim's optimizers (SGD, Adam, AdamW), learning-rate
// schedules, global-norm gradient clipping and optimizer state files.
//
// # Optimizers
//
// An optimizer updates a fixed list of parameters (autograd tensors) from
// their gradients, following PyTorch's torch.optim formulas. Parameters come
// in groups that differ only in their weight decay; DecayGroups splits a
// model's parameters the way Hugging Face scripts do (no decay for biases
// and LayerNorm weights):
//
//	groups := optim.DecayGroups(model.Parameters(), 0.01, optim.DefaultNoDecay)
//	opt, err := optim.NewAdamW(groups, optim.AdamConfig{
//		Schedule: optim.Linear{Peak: 2e-5, Warmup: 100, Total: 3000},
//	})
//	for ... {
//		loss.Backward()
//		norm := opt.ClipGradNorm(1.0) // pre-clip norm: log it, check it
//		opt.Step()
//		opt.ZeroGrad()
//	}
//
// Updates run on the parameters' device through its kernels (Adam and AdamW
// through the fused Device.Adam kernel); optimizer state (moments, momentum
// buffers) lives on the same device, and only scalars (the gradient norm)
// come back to the host. A parameter whose gradient is nil is skipped, and,
// as in PyTorch, its own step count (used by Adam's bias corrections) does
// not advance.
//
// # Schedules
//
// A Schedule gives the learning rate of each update from the number of
// updates already made: Constant, Linear (Hugging Face's
// get_linear_schedule_with_warmup) and Cosine (get_cosine_schedule_with_warmup).
// Step number s = 0 is the first update, so a warm-up starts at a learning
// rate of 0 exactly as with a LambdaLR that is stepped after each update.
//
// # Clipping
//
// GradNorm computes the global L2 norm of all gradients on the device and
// reads one scalar back; ClipGradNorm (torch.nn.utils.clip_grad_norm_)
// scales the gradients in place, while Optimizer.ClipGradNorm passes the
// scale to the next Step, which applies it inside the fused update without
// touching the gradients.
//
// # State files
//
// Save writes the optimizer's state (step counts, buffers by parameter name,
// hyperparameters) as a safetensors file with a versioned header and a
// CRC-32C checksum in its metadata, atomically; Load checks the format,
// version, checksum, kind, hyperparameters, names and shapes before it
// changes anything, and a resumed run's updates are bit-identical to an
// uninterrupted one's.
package optim
