package cpu

import "testing"

// ForEachImpl runs f as a subtest once per implementation this machine can
// run (fastest first, "generic" last), with the faster paths switched off for
// the duration of each subtest. Subtests must not run in parallel with
// anything that depends on the flags.
func ForEachImpl(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, im := range Impls() {
		t.Run(im.Name, func(t *testing.T) {
			restore := im.Select()
			defer restore()
			f(t)
		})
	}
}
