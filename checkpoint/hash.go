package checkpoint

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/idim-go/idim/internal/cpu"
)

// hashChunk is the size of the pieces of tensor data hashed in parallel.
const hashChunk = 4 << 20

// Hash returns a content hash of a checkpoint, 64 lowercase hex digits.
// It depends on the tensors' names, dtypes, shapes and bytes only, not on
// how they are split into files, ordered in them, or on metadata; so a
// sharded and a single-file copy of the same weights agree, and a BF16
// copy of F32 weights does not.
//
// Version 1, the SHA-256 of:
//
//	"idim checkpoint hash v1\n"
//	for each tensor, in sorted name order, with u64 little-endian integers:
//		len(name), name, len(dtype), dtype (e.g. "F32"), rank, each dimension,
//		number of data bytes, then the SHA-256 of each 4 MiB piece of the data
//
// The pieces are hashed on all workers.
func Hash(src Source) (string, error) {
	type piece struct {
		data []byte
		sum  [sha256.Size]byte
	}
	names := src.Names()
	starts := make([]int, len(names)+1) // pieces of tensor i: starts[i]..starts[i+1]
	var pieces []piece
	for i, name := range names {
		b, err := src.Bytes(name)
		if err != nil {
			return "", err
		}
		starts[i] = len(pieces)
		for lo := 0; lo < len(b); lo += hashChunk {
			pieces = append(pieces, piece{data: b[lo:min(lo+hashChunk, len(b))]})
		}
	}
	starts[len(names)] = len(pieces)
	cpu.ParallelFor(len(pieces), 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			pieces[i].sum = sha256.Sum256(pieces[i].data)
		}
	})

	h := sha256.New()
	h.Write([]byte("idim checkpoint hash v1\n"))
	var u [8]byte
	putU := func(v uint64) {
		binary.LittleEndian.PutUint64(u[:], v)
		h.Write(u[:])
	}
	putS := func(s string) {
		putU(uint64(len(s)))
		h.Write([]byte(s))
	}
	for i, name := range names {
		info, _ := src.Info(name)
		putS(name)
		putS(info.DType.String())
		putU(uint64(len(info.Shape)))
		for _, d := range info.Shape {
			putU(uint64(d))
		}
		putU(uint64(info.NumBytes()))
		for _, p := range pieces[starts[i]:starts[i+1]] {
			h.Write(p.sum[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
