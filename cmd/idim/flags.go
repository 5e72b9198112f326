package main

import (
	"errors"
	"flag"
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

// modelFlags registers --model (default def) and --tokenizer, the pair
// that loadModel reads, as eval, finetune and sweep take them.
func modelFlags(fs *flag.FlagSet, model, tokenizer *string, def string) {
	fs.StringVar(model, "model", def, "shipped model name ("+strings.Join(models.Names(), ", ")+") or an HF model directory")
	fs.StringVar(tokenizer, "tokenizer", "", "tokenizer directory or shipped model name (default: the model directory's)")
}
