package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/idim-go/idim/models"
)

// flagErr handles the error of FlagSet.Parse (ContinueOnError): --help has
// printed the usage and exits 0; any other error (already printed with the
// usage by the flag package) is returned for main to report.
func flagErr(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	return err
}

// parseFlags parses args into fs (errors as flagErr) and rejects positional
// arguments, naming the command (fs's name).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// modelFlags registers --model (default def) and --tokenizer, the pair
// that loadModel reads, as eval, finetune and sweep take them.
func modelFlags(fs *flag.FlagSet, model, tokenizer *string, def string) {
	fs.StringVar(model, "model", def, "shipped model name ("+strings.Join(models.Names(), ", ")+") or an HF model directory")
	fs.StringVar(tokenizer, "tokenizer", "", "tokenizer directory or shipped model name (default: the model directory's)")
}
