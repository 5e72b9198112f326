package models

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDirExtractsOnce(t *testing.T) {
	if !Has(Default) {
		t.Skipf("no %s in this build", Default)
	}
	cache := t.TempDir()
	t.Setenv(CacheDirEnv, cache)
	d1, err := Dir(Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d1, cache) {
		t.Errorf("extracted to %s, not under $%s", d1, CacheDirEnv)
	}
	sub, _ := FS(Default)
	for _, f := range []string{"config.json", "model.safetensors", "vocab.json", "merges.txt"} {
		want, err := fs.ReadFile(sub, f)
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(d1, f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: extracted copy differs (%v)", f, err)
		}
	}
	st1, _ := os.Stat(filepath.Join(d1, "model.safetensors"))
	d2, err := Dir(Default)
	if err != nil || d2 != d1 {
		t.Fatalf("second Dir: %s %v", d2, err)
	}
	st2, _ := os.Stat(filepath.Join(d2, "model.safetensors"))
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("the second call extracted again")
	}
	if _, err := Dir("no-such-model"); err == nil || !strings.Contains(err.Error(), Default) {
		t.Errorf("unknown model: %v", err)
	}
	for _, n := range Names() {
		if !strings.HasPrefix(n, "idim-") {
			t.Errorf("Names lists %q", n)
		}
	}
}
