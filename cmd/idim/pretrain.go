package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/idim-go/idim/data/corpus"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/train"
	"github.com/idim-go/idim/transformer"
)

func init() {
	register(command{"pretrain", "pretrain a RoBERTa-style model with masked language modelling", runPretrain})
}

// sizes are the model shapes of idim's own models: layers, hidden, heads, FFN.
var sizes = map[string][4]int{
	"tiny":  {2, 128, 4, 512},
	"small": {4, 256, 4, 1024},
	"base":  {6, 384, 6, 1536},
}

func runPretrain(args []string) error {
	fs := flag.NewFlagSet("pretrain", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: idim pretrain --tokenizer DIR --out DIR [flags]

Pretrains a RoBERTa-style model from scratch with masked language modelling
(15% of tokens: 80% <mask>, 10% random, 10% kept) on blocks of --max-len
tokens packed from the corpus. A held-out 2% of the documents gives the
perplexity. The result is an HF model directory (config.json,
model.safetensors, vocab.json, merges.txt) in OUT/final (last step) and
OUT/best (lowest held-out perplexity). Ctrl-C saves a checkpoint; --resume
continues it bit-identically.

flags:`)
		fs.PrintDefaults()
	}
	var tf trainFlags
	tf.register(fs, train.MethodMLM)
	tokDir := fs.String("tokenizer", "", "directory with vocab.json and merges.txt, or tokenizer.json (required; see idim train-tokenizer)")
	size := fs.String("size", "tiny", "model shape: tiny (2x128, 4 heads, FFN 512), small (4x256, 4, 1024), base (6x384, 6, 1536)")
	layers := fs.Int("layers", 0, "encoder layers (overrides --size)")
	hidden := fs.Int("hidden", 0, "hidden size (overrides --size)")
	heads := fs.Int("heads", 0, "attention heads (overrides --size)")
	ffn := fs.Int("ffn", 0, "feed-forward size (overrides --size)")
	tokens := fs.Int64("tokens", 0, "token budget: sets --max-steps to tokens/(batch*max-len*grad-accum)")
	corp := fs.String("corpus", strings.Join(corpus.Names(), ","), "comma-separated shipped corpora ("+strings.Join(corpus.Names(), ", ")+") and/or text files")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := tf.applyThreads(); err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	if *tokDir == "" {
		return fmt.Errorf("pretrain: --tokenizer is required (make one with idim train-tokenizer)")
	}
	shape, ok := sizes[*size]
	if !ok {
		return fmt.Errorf("pretrain: --size %q: want tiny, small or base", *size)
	}
	for i, v := range []int{*layers, *hidden, *heads, *ffn} {
		if v < 0 {
			return fmt.Errorf("pretrain: --layers, --hidden, --heads and --ffn must be positive")
		}
		if v > 0 {
			shape[i] = v
		}
	}
	tok, err := tokenizer.LoadDir(*tokDir)
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	cfg, err := tf.config(train.MethodMLM)
	if err == nil {
		cfg, err = cfg.Resolve()
	}
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	if *tokens < 0 {
		return fmt.Errorf("pretrain: --tokens %d: must be positive", *tokens)
	}
	if *tokens > 0 {
		cfg.MaxSteps = int(max(1, *tokens/int64(cfg.BatchSize*cfg.MaxLen*cfg.GradAccum)))
	}
	mc := transformer.DefaultConfig()
	mc.Architectures = []string{"RobertaForMaskedLM"}
	mc.VocabSize = tok.VocabSize()
	mc.NumHiddenLayers, mc.HiddenSize, mc.NumAttentionHeads, mc.IntermediateSize = shape[0], shape[1], shape[2], shape[3]
	mc.MaxPositionEmbeddings = cfg.MaxLen + mc.PadTokenID + 1
	mc.PadTokenID, mc.BosTokenID, mc.EosTokenID = tok.PAD(), tok.BOS(), tok.EOS()
	mc.MaxPositionEmbeddings = cfg.MaxLen + mc.PadTokenID + 1
	if err := mc.Validate(); err != nil {
		return fmt.Errorf("pretrain: model shape: %w", err)
	}
	m, err := transformer.New(mc, cfg.Seed, transformer.WithHeads(transformer.HeadMLM))
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	docs, err := readCorpora(*corp)
	if err != nil {
		return fmt.Errorf("pretrain: %w", err)
	}
	ctx, stop := signalContext()
	defer stop()
	res, err := train.Pretrain(ctx, m, tok, docs, cfg)
	if err != nil {
		return trainErr(fmt.Errorf("pretrain: %w", err))
	}
	fmt.Printf("held-out perplexity %.3f (step %d); %d steps, %d tokens, %.0f tokens/s; model in %s/final\n",
		res.DevScore, res.BestStep, res.Steps, res.Tokens, float64(res.Tokens)/max(res.Seconds, 1e-9), cfg.Out)
	return nil
}
