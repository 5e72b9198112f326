//go:build gc && !purego

package cpu

// asmAllowed is false in purego builds, which must never take an asm path.
const asmAllowed = true
