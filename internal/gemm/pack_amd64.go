//go:build gc && !purego

package gemm

import "github.com/idim-go/idim/internal/cpu"

//go:noescape
func packTrans4x8AVX2(dst, src *float32, ld, w, blocks int)

//go:noescape
func packCopyAVX2(dst, src *float32, ld, kb, w, chunks, ss int)

// packCopyFast does the whole w-column pieces of packCopy (see there) and
// returns how many columns it packed.
func packCopyFast(dst, src []float32, ld, kb, w, width, ss int) int {
	chunks := width / w
	if !cpu.HasAVX2 || w%2 != 0 || kb < 1 || chunks < 1 {
		return 0
	}
	_ = dst[(chunks-1)*ss+kb*w-1] // every store is in dst
	_ = src[(kb-1)*ld+chunks*w-1] // every load is in src
	packCopyAVX2(&dst[0], &src[0], ld, kb, w, chunks, ss)
	return chunks * w
}

// packTransFast does the part of packTrans that assembly speeds up: rows
// in groups of 4 and depths in blocks of 8. It returns how many rows and
// depths it packed.
func packTransFast(dst, src []float32, ld, kb, w, cols int) (rows, depth int) {
	if !cpu.HasAVX2 || kb < 8 || cols < 4 {
		return 0, 0
	}
	blocks := kb / 8
	rows = cols &^ 3
	_ = dst[(8*blocks-1)*w+rows-1]  // every store is in dst
	_ = src[(rows-1)*ld+8*blocks-1] // every load is in src
	for j := 0; j < rows; j += 4 {
		packTrans4x8AVX2(&dst[j], &src[j*ld], ld, w, blocks)
	}
	return rows, 8 * blocks
}
