// Package subspace trains a model inside a random low-dimensional subspace of
// its parameters, as in Aghajanyan, Zettlemoyer and Gupta, "Intrinsic
// Dimensionality Explains the Effectiveness of Language Model Fine-Tuning"
// (ACL 2021).
//
// Only a vector theta_d of d numbers is trained. A fixed random projection P_t
// per parameter tensor t (n_t elements) maps it into the tensor:
//
//	DID:  theta_t = theta_0,t + P_t(theta_d)
//	SAID: theta_t = theta_0,t + lambda_t * P_t(theta_{d-m})
//
// where SAID learns one scalar lambda_t per wrapped tensor (m tensors) and d
// counts them. theta_d starts at 0, so training starts at theta_0. The
// paper leaves lambda_t's initial value open; Config.LambdaInit picks 1
// (LambdaOne, the zero value) or sqrt(n_t/n_max) (LambdaSize, the default of
// package train and the CLI): the projections' columns are normalised per
// tensor, so with lambda_t = 1 a step moves a 128-entry bias as far as a
// 1M-entry embedding, and on idim-tiny/sentiment SAID then never reaches 90%
// of full fine-tuning, while size-scaled lambdas reach it at d = 3000 (see
// LambdaInit). The projections are regenerated from (seed, tensor name) by a
// counter-based generator, so an adapter is the vector theta_d, the seed and
// the list of tensors, a few kilobytes.
//
// Five projectors are provided (see Projector): Dense (Gaussian, a reference
// for small models), Sparse (Li, Hastie and Church's very sparse random
// projection), Fastfood (H G Pi H B, built on the fast Walsh-Hadamard
// transform, the paper's choice, padded to a power of two),
// FastfoodSplit (Fastfood over the power-of-two pieces of each tensor: no
// padding, about half the time) and FastfoodBlock (Fastfood in
// cache-resident blocks of the next power of two >= d sharing H B theta_d:
// about 7x less CPU than Fastfood on roberta-base; not the paper's exact
// construction). None of them stores anything per
// parameter: Sparse and Dense regenerate their entries, the Fastfood
// variants regenerate B and G from hashes and keep only small Feistel
// tables for Pi (about 0.01 bytes per parameter on roberta-base; see
// StateBytes). Each comes with its exact transpose: the
// gradient of theta_d is sum_t P_t^T g_t with no further factor. (The paper's
// reference code scales the backward pass of its Walsh-Hadamard transform by
// 1/sqrt(L) while the forward pass is unnormalised, so its theta_d gradient
// carries a spurious per-tensor factor; idim's is the true gradient.)
//
// Subspace wraps a set of named float32 parameter tensors: Apply writes the
// current theta_t into every wrapped tensor, Grad turns the tensors'
// gradients into the gradient of the trainable vector. Nothing of size D is
// trained or stored besides one copy of theta_0 (or a read-only view of it,
// or none with Config.Incremental, at the price of a float32 drift), so an
// optimizer only ever sees the d trainable numbers. Wrap does the same for
// autograd parameters and consumes each tensor's gradient during the
// backward pass, as soon as it is final.
package subspace
