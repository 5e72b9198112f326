package main

import (
	"bytes"
	"os"
	"path/filepath"
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
