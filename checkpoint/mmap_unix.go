//go:build aix || darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd || solaris

package checkpoint

import (
	"fmt"
	"math"
	"os"

	"golang.org/x/sys/unix"
)

// useMmap lets tests exercise the fallback reader on unix too.
var useMmap = true

// readFile maps the file read-only and shared; the returned function
// unmaps it.
func readFile(path string) ([]byte, func() error, error) {
	if !useMmap {
		return readFileFallback(path)
	}
	fd, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	defer fd.Close() // the mapping outlives the descriptor
	st, err := fd.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("checkpoint: %s: not a regular file", path)
	}
	if size < 8 {
		// Too short to map usefully; Parse reports it.
		return readFileFallback(path)
	}
	if size > math.MaxInt {
		return nil, nil, fmt.Errorf("checkpoint: %s: %d bytes is too large to map on this platform", path, size)
	}
	data, err := unix.Mmap(int(fd.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %s: mmap: %w", path, err)
	}
	return data, func() error { return unix.Munmap(data) }, nil
}
