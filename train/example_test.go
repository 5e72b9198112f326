package train_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"reflect"

	"github.com/idim-go/idim/data"
	"github.com/idim-go/idim/models"
	"github.com/idim-go/idim/subspace"
	"github.com/idim-go/idim/tokenizer"
	"github.com/idim-go/idim/train"
	"github.com/idim-go/idim/transformer"
)

// loadDefault loads idim's default shipped model and its tokenizer.
func loadDefault() (*transformer.Model, *tokenizer.Tokenizer) {
	dir, err := models.Dir(models.Default) // extracted from the binary once
	if err != nil {
		log.Fatal(err)
	}
	m, _, err := transformer.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := tokenizer.LoadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	return m, tok
}

// Fine-tune the default model on the shipped sentiment task inside a
// 500-dimensional random subspace (SAID with the Fastfood projection). A
// real run trains for epochs; this one makes 20 updates.
func ExampleFineTune() {
	m, tok := loadDefault()
	task, err := data.Load("sentiment", data.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, err = train.ForTask(m, task.NumLabels, 1) // a new classification head
	if err != nil {
		log.Fatal(err)
	}
	base, err := train.NewBase(m, tok) // keeps theta_0 for repeated runs
	if err != nil {
		log.Fatal(err)
	}
	res, err := train.FineTune(context.Background(), base, task, train.Config{
		Method: train.MethodSAID, Projector: "fastfood", D: 500,
		LR: 5e-2, MaxSteps: 20, BatchSize: 16, MaxLen: 64, Seed: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ParamsLine())
	fmt.Println("updates:", res.Steps, "metric:", res.Metric)
	// Output:
	// trainable params: 500 || all params: 1478914 || trainable%: 0.033809
	// updates: 20 metric: accuracy
}

// Load a model and a subspace adapter (the few-KB output of a did/said run)
// and classify text. The adapter is made here first; a program would load
// one that `idim finetune --method said` wrote to OUT/best.
func ExampleClassify() {
	dir, err := os.MkdirTemp("", "idim-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	task, _ := data.Load("sentiment", data.Options{})

	// Train an adapter and keep the fine-tuned model's predictions.
	m, tok := loadDefault()
	m, _ = train.ForTask(m, task.NumLabels, 1)
	base, _ := train.NewBase(m, tok)
	_, err = train.FineTune(context.Background(), base, task, train.Config{
		Method: train.MethodDID, D: 300, LR: 5e-2, MaxSteps: 10, BatchSize: 16, MaxLen: 64, Seed: 1,
		Out: filepath.Join(dir, "run"),
	})
	if err != nil {
		log.Fatal(err)
	}
	texts := []string{"A wonderful, moving film.", "The battery died after a day. Useless."}
	want, wantLogits, _ := train.Classify(m, tok, texts, 64)

	// A fresh program: load the base model, the same head, and the adapter.
	m2, tok2 := loadDefault()
	m2, _ = train.ForTask(m2, task.NumLabels, 1) // same seed as the run: same head
	w, err := subspace.LoadAdapterInto(filepath.Join(dir, "run", "best"), m2.Parameters(), "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(w.Summary())
	got, gotLogits, err := train.Classify(m2, tok2, texts, 64)
	if err != nil {
		log.Fatal(err)
	}
	labels := make([]string, len(got))
	for i, c := range got {
		labels[i] = task.LabelNames[c] // "negative" or "positive"
	}
	_ = labels
	fmt.Println("same predictions as after training:", reflect.DeepEqual(got, want) && reflect.DeepEqual(gotLogits, wantLogits))
	// Output:
	// trainable params: 300 || all params: 1478914 || trainable%: 0.020285
	// same predictions as after training: true
}
