package main

// Commands whose implementation has not landed yet. Each says what it will do
// and exits non-zero; a file that implements one removes its line here.
func init() {
	register(command{"demo", "find d90 of the embedded default model on the sentiment task (SAID, Fastfood)",
		notYet("demo", "load the committed default model, fine-tune it on `sentiment` fully, then with SAID+Fastfood over a grid of d with bisection, and print the table and d90")})
	register(command{"sweep", "find d90 for a model and task",
		notYet("sweep", "run the full baseline, then subspace runs over a grid of d with bisection")})
	register(command{"pretrain", "pretrain a RoBERTa-style model with masked language modelling",
		notYet("pretrain", "train a RoBERTa-style model on the shipped prose with MLM")})
	register(command{"finetune", "fine-tune a model on a task (full, DID or SAID)",
		notYet("finetune", "fine-tune --model on --task with --method full|did|said")})
	register(command{"eval", "evaluate a model or adapter on a task",
		notYet("eval", "score --model (and --adapter) on a task split")})
	register(command{"tokenize", "print the token ids of text",
		notYet("tokenize", "encode text with the model's byte-level BPE")})
}
