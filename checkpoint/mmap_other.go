//go:build !(aix || darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || solaris)

package checkpoint

var useMmap = false

// readFile reads the whole file: this platform has no mmap here.
func readFile(path string) ([]byte, func() error, error) { return readFileFallback(path) }
