package main

// Commands whose implementation has not landed yet. Each says what it will do
// and exits non-zero; a file that implements one removes its line here.
func init() {
	register(command{"demo", "find d90 of the embedded default model on the sentiment task (SAID, Fastfood)",
		notYet("demo", "load the committed default model, fine-tune it on `sentiment` fully, then with SAID+Fastfood over a grid of d with bisection, and print the table and d90")})
	register(command{"sweep", "find d90 for a model and task",
		notYet("sweep", "run the full baseline, then subspace runs over a grid of d with bisection")})
}
