package vulkan

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSPIRVCurrent recompiles every shader as gen.sh does and compares the
// result with the committed shaders/spv file, then validates each with
// spirv-val: stale or invalid SPIR-V fails. It needs glslc and spirv-val
// (skipped without them).
func TestSPIRVCurrent(t *testing.T) {
	glslc, err := exec.LookPath("glslc")
	if err != nil {
		t.Skip("glslc not installed")
	}
	val, err := exec.LookPath("spirv-val")
	if err != nil {
		t.Skip("spirv-val not installed")
	}
	comps, err := filepath.Glob("shaders/*.comp")
	if err != nil || len(comps) == 0 {
		t.Fatalf("no shaders: %v", err)
	}
	dir := t.TempDir()
	for _, c := range comps {
		name := strings.TrimSuffix(filepath.Base(c), ".comp")
		out := filepath.Join(dir, name+".spv")
		cmd := exec.Command(glslc, "--target-env=vulkan1.2", "-O", "-o", out, filepath.Base(c))
		cmd.Dir = "shaders"
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("glslc %s: %v\n%s", c, err, msg)
			continue
		}
		fresh, _ := os.ReadFile(out)
		committed, err := os.ReadFile(filepath.Join("shaders", "spv", name+".spv"))
		if err != nil {
			t.Errorf("%s has no committed SPIR-V: run go generate ./vulkan/...", c)
			continue
		}
		if !bytes.Equal(fresh, committed) {
			t.Errorf("shaders/spv/%s.spv is stale (or glslc differs from the one that made it): run go generate ./vulkan/...", name)
		}
		if msg, err := exec.Command(val, "--target-env", "vulkan1.2", out).CombinedOutput(); err != nil {
			t.Errorf("spirv-val %s: %v\n%s", name, err, msg)
		}
	}
	spvs, _ := filepath.Glob("shaders/spv/*.spv")
	if len(spvs) != len(comps) {
		t.Errorf("%d SPIR-V files for %d shaders", len(spvs), len(comps))
	}
}
