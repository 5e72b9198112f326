package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/tokenizer"
)

func init() {
	register(command{"tokenize", "print the token ids of text", runTokenize})
}

func runTokenize(args []string) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: idim tokenize [flags] [TEXT ...]

Encodes each TEXT argument (or each line of standard input when there is
none) with a model's byte-level BPE, as "<s> text </s>", and prints the ids
(with --tokens, also the tokens).

flags:`)
		fs.PrintDefaults()
	}
	model := fs.String("model", models.Default, "shipped model name ("+strings.Join(models.Names(), ", ")+") or a model/tokenizer directory")
	tokDir := fs.String("tokenizer", "", "tokenizer directory (default: --model's)")
	pair := fs.String("pair", "", "second text: encode each TEXT with it as a pair")
	showTok := fs.Bool("tokens", false, "also print the tokens")
	noSpecial := fs.Bool("no-special", false, "leave out <s> and </s>")
	maxLen := fs.Int("max-len", 0, "truncate to this many tokens (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return flagErr(err)
	}
	dir := *tokDir
	if dir == "" {
		d, err := modelDir(*model)
		if err != nil {
			return fmt.Errorf("tokenize: %w", err)
		}
		dir = d
	} else if models.Has(dir) {
		d, err := models.Dir(dir)
		if err != nil {
			return fmt.Errorf("tokenize: %w", err)
		}
		dir = d
	}
	tok, err := tokenizer.LoadDir(dir)
	if err != nil {
		return fmt.Errorf("tokenize: %w (pass --tokenizer DIR)", err)
	}
	opt := tokenizer.Options{MaxLength: *maxLen, NoSpecialTokens: *noSpecial}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	do := func(text string) error {
		var e tokenizer.Encoding
		var err error
		if *pair != "" {
			e, err = tok.EncodePair(text, *pair, opt)
		} else {
			e, err = tok.EncodeSingle(text, opt)
		}
		if err != nil {
			return err
		}
		ids := make([]string, len(e.IDs))
		for i, id := range e.IDs {
			ids[i] = fmt.Sprint(id)
		}
		fmt.Fprintln(out, strings.Join(ids, " "))
		if *showTok {
			toks := make([]string, len(e.IDs))
			for i, id := range e.IDs {
				toks[i], _ = tok.Token(id)
			}
			fmt.Fprintln(out, strings.Join(toks, " "))
		}
		return nil
	}
	if fs.NArg() > 0 {
		for _, a := range fs.Args() {
			if err := do(a); err != nil {
				return fmt.Errorf("tokenize: %w", err)
			}
		}
		return nil
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if err := do(sc.Text()); err != nil {
			return fmt.Errorf("tokenize: %w", err)
		}
	}
	return sc.Err()
}
