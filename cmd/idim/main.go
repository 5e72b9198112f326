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

// registry holds the subcommands; each command's file adds itself in init
// with register, so commands can be added without touching this file.
var registry []command

func register(c command) { registry = append(registry, c) }

// order fixes the listing order of the usage text; unlisted commands follow.
var order = []string{"demo", "sweep", "study", "pretrain", "finetune", "eval", "tokenize", "train-tokenizer", "bench", "devices"}

func commands() []command {
	var out []command
	seen := map[string]bool{}
	for _, name := range order {
		for _, c := range registry {
			if c.name == name {
				out = append(out, c)
				seen[name] = true
			}
		}
	}
	for _, c := range registry {
		if !seen[c.name] {
			out = append(out, c)
		}
	}
	return out
}

func init() {
	register(command{"devices", "list the compute devices idim can use", runDevices})
}

func runDevices([]string) error {
	fmt.Println("cpu:", cpu.Features())
	printVulkanDevices(os.Stdout)
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
