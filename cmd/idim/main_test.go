package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCPUProfile runs a command under IDIM_CPUPROFILE and checks that a
// gzip-compressed profile was written, and that an unwritable path is an
// error that names the variable, before the command runs.
func TestCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	t.Setenv("IDIM_CPUPROFILE", path)
	if code := run([]string{"tokenize", "hello world"}); code != 0 {
		t.Fatalf("tokenize under the profiler exited %d", code)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Fatalf("profile is %d bytes without a gzip header", len(b))
	}
	t.Setenv("IDIM_CPUPROFILE", filepath.Join(t.TempDir(), "missing", "cpu.prof"))
	if _, err := startProfile(os.Getenv("IDIM_CPUPROFILE")); err == nil {
		t.Fatal("profile in a missing directory: no error")
	}
	if code := run([]string{"tokenize", "hello world"}); code != 1 {
		t.Fatalf("unwritable profile: exit %d, want 1", code)
	}
	if code := run([]string{"no-such-command"}); code != 2 {
		t.Fatalf("unknown command: exit %d, want 2", code)
	}
}

// TestUsageAligned: every command's summary starts in the same column,
// also after the longest name (train-tokenizer).
func TestUsageAligned(t *testing.T) {
	var b bytes.Buffer
	usage(&b)
	col, n := -1, 0
	for _, line := range strings.Split(b.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(line, "  ") {
			continue
		}
		c := strings.Index(line[2+len(f[0]):], f[1]) + 2 + len(f[0])
		if col >= 0 && c != col {
			t.Errorf("summary of %s starts at column %d, want %d", f[0], c, col)
		}
		col, n = c, n+1
	}
	if n != len(commands()) {
		t.Errorf("%d command lines in the usage, want %d", n, len(commands()))
	}
}
