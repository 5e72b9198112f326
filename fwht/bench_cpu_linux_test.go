//go:build linux

package fwht

import "golang.org/x/sys/unix"

// threadCPU returns the CPU time consumed by the calling OS thread, in
// nanoseconds (0 if the clock cannot be read). Benchmarks that lock their
// goroutine to a thread use it to report time on the CPU, which, unlike
// wall time, does not grow while other processes hold the core.
func threadCPU() int64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts) != nil {
		return 0
	}
	return ts.Nano()
}
