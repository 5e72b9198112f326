// Command idim fine-tunes transformer language models inside a random
// subspace and measures their intrinsic dimension.
//
// Run `idim help` for the list of commands.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/idim-go/idim/internal/cpu"
)

type command struct {
	name, summary string
	run           func(args []string) error
}

// errNotYet is returned by commands whose implementation has not landed; the
// CLI says so plainly and exits non-zero instead of printing a fake result.
type errNotYet struct{ what string }

func (e errNotYet) Error() string {
	return fmt.Sprintf("%s is not implemented yet in this build of idim (see the open issues); nothing was run", e.what)
}

func notYet(name, plan string) func([]string) error {
	return func([]string) error {
		fmt.Fprintf(os.Stderr, "idim %s will: %s\n", name, plan)
		return errNotYet{"idim " + name}
	}
}

func commands() []command {
	return []command{
		{"demo", "find d90 of the embedded default model on the sentiment task (SAID, Fastfood)",
			notYet("demo", "load the committed default model, fine-tune it on `sentiment` fully, then with SAID+Fastfood over a grid of d with bisection, and print the table and d90")},
		{"pretrain", "pretrain a RoBERTa-style model with masked language modelling",
			notYet("pretrain", "train a byte-level BPE model on the shipped prose with MLM")},
		{"finetune", "fine-tune a model on a task (full, DID or SAID)",
			notYet("finetune", "fine-tune --model on --task with --method full|did|said")},
		{"sweep", "find d90 for a model and task",
			notYet("sweep", "run the full baseline, then subspace runs over a grid of d with bisection")},
		{"eval", "evaluate a model or adapter on a task",
			notYet("eval", "score --model (and --adapter) on a task split")},
		{"tokenize", "print the token ids of text",
			notYet("tokenize", "encode text with the model's byte-level BPE")},
		{"bench", "measure kernels side by side",
			notYet("bench", "run the kernel benchmarks")},
		{"devices", "list the compute devices idim can use", runDevices},
	}
}

func runDevices([]string) error {
	fmt.Println("cpu:", cpu.Features())
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "idim: fine-tune transformers in a random subspace and measure intrinsic dimension")
	fmt.Fprintln(w, "\nusage: idim <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `idim <command> --help` for the flags of one command.")
}

func main() {
	if len(os.Args) < 2 {
		usage(os.Stderr)
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "help" || name == "-h" || name == "--help" {
		usage(os.Stdout)
		return
	}
	for _, c := range commands() {
		if c.name == name {
			if err := c.run(os.Args[2:]); err != nil {
				fmt.Fprintln(os.Stderr, "idim:", err)
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "idim: unknown command %q\n\n", name)
	usage(os.Stderr)
	os.Exit(2)
}
