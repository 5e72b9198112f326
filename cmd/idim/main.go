// Command idim fine-tunes transformer language models inside a random
// subspace and measures their intrinsic dimension.
//
// Run `idim help` for the list of commands.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"

	"github.com/idim-go/idim/internal/cpu"
)

type command struct {
	name, summary string
	run           func(args []string) error
}

// registry holds the subcommands; each command's file adds itself in init
// with register, so commands can be added without touching this file.
var registry []command

func register(c command) { registry = append(registry, c) }

// order fixes the listing order of the usage text; unlisted commands follow.
var order = []string{"demo", "sweep", "study", "pretrain", "finetune", "eval", "tokenize", "train-tokenizer", "devices"}

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
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `idim <command> --help` for the flags of one command.")
}

func main() { os.Exit(run(os.Args[1:])) }

// run dispatches one command and returns the process's exit status. With
// IDIM_CPUPROFILE=FILE set, the whole command runs under Go's CPU profiler
// and the profile is written to FILE (read it with `go tool pprof`).
func run(args []string) int {
	if len(args) < 1 {
		usage(os.Stderr)
		return 2
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" {
		usage(os.Stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		stop, err := startProfile(os.Getenv("IDIM_CPUPROFILE"))
		if err == nil {
			err = c.run(args[1:])
			if perr := stop(); err == nil {
				err = perr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "idim:", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "idim: unknown command %q\n\n", name)
	usage(os.Stderr)
	return 2
}

// startProfile starts the CPU profiler writing to path ("" : no profile)
// and returns the function that stops it and closes the file.
func startProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("IDIM_CPUPROFILE: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("IDIM_CPUPROFILE: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("IDIM_CPUPROFILE: writing %s: %w", path, err)
		}
		return nil
	}, nil
}
