// Package cpu reports the CPU features that idim's kernels dispatch on, lets
// tests and users switch individual paths off, and runs parallel loops on a
// fixed pool of workers.
//
// Features are read once at start-up with github.com/klauspost/cpuid/v2.
// Kernels read the exported flags on every call (a single load), so a test
// that disables a feature changes the path taken by the very next call:
//
//	defer cpu.DisableAVX512()()
//
// The environment variable IDIM_DISABLE turns paths off for a whole process,
// for example IDIM_DISABLE=avx512,avx2 forces the generic kernels on amd64 and
// IDIM_DISABLE=neon does the same on arm64.
package cpu

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/klauspost/cpuid/v2"
)

// Flags that kernels test before taking a SIMD path. They are true only when
// the hardware has the feature, the build allows assembly (not purego), and
// nobody disabled it.
var (
	// HasAVX2 means AVX2 and FMA3 are both usable.
	HasAVX2 bool
	// HasAVX512 means AVX-512 F, BW, DQ and VL are all usable.
	HasAVX512 bool
	// HasNEON is true on every arm64 build that allows assembly.
	HasNEON bool
)

// Detected flags, before any disabling; restore functions return to these.
var (
	hwAVX2, hwAVX512, hwNEON bool
	mu                       sync.Mutex
)

func init() {
	if asmAllowed {
		switch runtime.GOARCH {
		case "amd64":
			hwAVX2 = cpuid.CPU.Supports(cpuid.AVX2, cpuid.FMA3)
			hwAVX512 = hwAVX2 && cpuid.CPU.Supports(cpuid.AVX512F, cpuid.AVX512BW, cpuid.AVX512DQ, cpuid.AVX512VL)
		case "arm64":
			hwNEON = true
		}
	}
	HasAVX2, HasAVX512, HasNEON = hwAVX2, hwAVX512, hwNEON
	if err := applyDisable(os.Getenv("IDIM_DISABLE")); err != nil {
		fmt.Fprintln(os.Stderr, "idim:", err)
	}
}

// applyDisable switches off every feature named in a comma-separated list.
func applyDisable(list string) error {
	var unknown []string
	for _, name := range strings.Split(list, ",") {
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "":
		case "avx512":
			HasAVX512 = false
		case "avx2":
			// AVX-512 kernels assume AVX2 is there too.
			HasAVX2, HasAVX512 = false, false
		case "neon":
			HasNEON = false
		case "all", "simd":
			HasAVX2, HasAVX512, HasNEON = false, false, false
		default:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("IDIM_DISABLE: unknown feature(s) %q (known: avx512, avx2, neon, all)", unknown)
	}
	return nil
}

func disable(p *bool) func() {
	mu.Lock()
	old := *p
	*p = false
	mu.Unlock()
	return func() {
		mu.Lock()
		*p = old
		mu.Unlock()
	}
}

// DisableAVX512 turns the AVX-512 paths off and returns a function that puts
// the previous state back.
func DisableAVX512() func() { return disable(&HasAVX512) }

// DisableAVX2 turns the AVX2 paths off (and the AVX-512 ones, which build on
// them) and returns a function that puts the previous state back.
func DisableAVX2() func() {
	r1 := disable(&HasAVX512)
	r2 := disable(&HasAVX2)
	return func() { r2(); r1() }
}

// DisableNEON turns the NEON paths off and returns its restore function.
func DisableNEON() func() { return disable(&HasNEON) }

// DisableAll turns every SIMD path off and returns its restore function.
func DisableAll() func() {
	r1 := DisableAVX2()
	r2 := DisableNEON()
	return func() { r2(); r1() }
}

// Impl names one kernel implementation that this machine can run, with the
// function that selects it (by disabling everything faster) and returns the
// restore function.
type Impl struct {
	Name   string
	Select func() (restore func())
}

// Impls lists the implementations that this process can run, fastest first.
// "generic" is always last. A feature switched off through IDIM_DISABLE is
// not listed.
func Impls() []Impl {
	var out []Impl
	if HasAVX512 {
		out = append(out, Impl{"avx512", func() func() { return func() {} }})
	}
	if HasAVX2 {
		out = append(out, Impl{"avx2", DisableAVX512})
	}
	if HasNEON {
		out = append(out, Impl{"neon", func() func() { return func() {} }})
	}
	out = append(out, Impl{"generic", DisableAll})
	return out
}

// Best names the fastest implementation this process will use.
func Best() string { return Impls()[0].Name }

// Features describes the CPU and the paths in use, for logs and `idim devices`.
func Features() string {
	var on []string
	for _, im := range Impls() {
		on = append(on, im.Name)
	}
	return fmt.Sprintf("%s (%s, %d logical cores, GOMAXPROCS=%d): kernels %s",
		strings.TrimSpace(cpuid.CPU.BrandName), runtime.GOARCH, runtime.NumCPU(),
		runtime.GOMAXPROCS(0), strings.Join(on, ", "))
}
