// Package train is idim's training loop: full fine-tuning, subspace
// fine-tuning (DID and SAID through package subspace) and masked-language-
// model pre-training share one loop with padded batches (data.Batcher),
// gradient accumulation, AdamW with linear/cosine/constant schedules and
// warm-up, global-norm clipping, evaluation every N updates on the dev set
// (the task's main metric), early stopping, the best weights kept, resumable
// checkpoints, NaN/Inf detection, a progress display and JSONL metrics.
//
// # Fine-tuning
//
//	m, _, err := transformer.Load(dir)                 // or models.Dir(models.Default)
//	tok, err := tokenizer.LoadDir(dir)
//	task, err := data.Load("sentiment", data.Options{})
//	m, err = train.ForTask(m, task.NumLabels, seed)    // fresh classifier head
//	base, err := train.NewBase(m, tok)                 // keeps theta_0 once
//	res, err := train.FineTune(ctx, base, task, train.Config{Method: "said", D: 1000, Seed: seed})
//	fmt.Println(res.ParamsLine(), res.DevScore, res.TestScore)
//
// FineTune resets the model to theta_0 before it starts, so a sweep calls it
// again and again on one Base for different d, methods and seeds without
// reading the model again; the tokenized splits are cached in the Base.
// Config's zero fields take the defaults of its Method (Defaults): AdamW,
// batch 32, max length 128, 6% warm-up then linear decay, clipping at 1,
// learning rate 2e-5 (full; 3e-4 for models narrower than 512) or 1e-3
// (did/said).
//
// # Outputs, checkpoints and resume
//
// With Config.Out the run writes config.json (the resolved config, seed
// included), metrics.jsonl (one line per log step and per evaluation,
// fsynced at evaluations), best/ and final/ (an HF model directory with the
// tokenizer for full runs and pre-training, an adapter of a few KB for
// did/said), result.json, and checkpoints in ckpt/step-N (parameters, best
// parameters, optimizer state, data position and counters) with ckpt/latest
// naming the newest. Every random choice is a pure function of (Seed, step):
// batch order, dropout masks, MLM masks. So Config.Resume after a kill, even
// kill -9 at any point, continues from the last checkpoint and ends with
// weights bit-identical to an uninterrupted run's on the same thread count.
// A cancelled context saves a checkpoint and returns an *InterruptedError
// (the CLI cancels on SIGINT).
//
// # Errors
//
// A NaN or infinite loss, gradient norm or dev score stops the run with a
// *DivergedError naming the step and the quantity; Result.Diverged is set,
// so a sweep can record the run as failed and go on.
//
// # Allocation
//
// Each micro-batch runs inside one reused autograd.Scope, so once the
// device's buffer pool is warm a training step allocates almost nothing.
package train
