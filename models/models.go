// Package models ships idim's own pretrained models inside the binary
// (go:embed), so `idim finetune --model idim-tiny` and library users work
// from any directory with no download. See README.md in this directory for
// how each model was made.
//
// A shipped model is an HF model directory (config.json, model.safetensors,
// vocab.json, merges.txt); Dir extracts it once into the user's cache
// directory and returns that path, which transformer.Load and
// tokenizer.LoadDir read like any other.
package models

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Default is the model the demo and the examples use.
const Default = "idim-tiny"

// files holds the model directories; a new model adds its directory here.
//
//go:embed idim-tiny
var files embed.FS

// Names lists the shipped models.
func Names() []string {
	ents, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether name is a shipped model.
func Has(name string) bool {
	for _, n := range Names() {
		if n == name {
			return true
		}
	}
	return false
}

// FS returns the embedded files of model name (config.json,
// model.safetensors, vocab.json, merges.txt).
func FS(name string) (fs.FS, error) {
	if !Has(name) {
		return nil, fmt.Errorf("models: no shipped model %q (shipped: %s)", name, strings.Join(Names(), ", "))
	}
	return fs.Sub(files, name)
}

// CacheDirEnv overrides where Dir extracts models (default: the user cache
// directory, else the temporary directory).
const CacheDirEnv = "IDIM_CACHE"

// Dir returns a directory that holds the files of shipped model name,
// extracting them on first use into $IDIM_CACHE/models/<name>-<hash> (or
// the user cache directory). The hash covers the contents, so a binary with
// other weights never reads a stale copy.
func Dir(name string) (string, error) {
	sub, err := FS(name)
	if err != nil {
		return "", err
	}
	ents, err := fs.ReadDir(sub, ".")
	if err != nil {
		return "", err
	}
	h := sha256.New()
	contents := map[string][]byte{}
	for _, e := range ents {
		b, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			return "", err
		}
		contents[e.Name()] = b
		fmt.Fprintf(h, "%s %d\n", e.Name(), len(b))
		h.Write(b)
	}
	root := os.Getenv(CacheDirEnv)
	if root == "" {
		if c, err := os.UserCacheDir(); err == nil {
			root = filepath.Join(c, "idim")
		} else {
			root = filepath.Join(os.TempDir(), "idim-cache")
		}
	}
	dir := filepath.Join(root, "models", name+"-"+hex.EncodeToString(h.Sum(nil))[:12])
	if _, err := os.Stat(filepath.Join(dir, "config.json")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", fmt.Errorf("models: extract %s: %w", name, err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), name+".tmp-")
	if err != nil {
		return "", fmt.Errorf("models: extract %s: %w", name, err)
	}
	for n, b := range contents {
		if err := os.WriteFile(filepath.Join(tmp, n), b, 0o644); err != nil {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("models: extract %s: %w", name, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, "config.json")); serr == nil {
			return dir, nil // another process extracted it first
		}
		return "", fmt.Errorf("models: extract %s: %w", name, err)
	}
	return dir, nil
}
