//go:build !gc || purego

package cpu

const asmAllowed = false
