//go:build unix

package transformer

import "syscall"

// cpuSeconds is the process' user + system CPU time so far (0 if unknown).
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
