//go:build gc && !purego

package fwht

import "github.com/idim-go/idim/internal/cpu"

//go:noescape
func ffbGatherAVX512(out, v, gt *float32, t0, t1, t2 *uint32, sw *uint64, pr *ffbParams)

//go:noescape
func ffbGatherTAVX512(acc, buf, gt *float32, t0, t1, t2 *uint32, sw *uint64, pr *ffbParams)

// gatherSIMD is gather with AVX-512 (L >= 128, rows of at least 16); it
// reports false where there is no kernel.
func (f *FastfoodBlock) gatherSIMD(out, v, gt []float32, i int, sw []uint64) bool {
	if !cpu.HasAVX512 || f.mb < 15 {
		return false
	}
	pr := f.params(i, sw)
	t2 := &f.rt[2][0]
	if pr.small != 0 {
		t2 = &f.rt32[1][0]
	}
	ffbGatherAVX512(&out[0], &v[0], &gt[0], &f.rt[0][0], &f.rt[1][0], t2, &sw[0], &pr)
	return true
}

// gatherTSIMD is buf[k] *= G_i,k; acc[pi_i(k)] += buf[k] with AVX-512.
func (f *FastfoodBlock) gatherTSIMD(acc, buf, gt []float32, i int, sw []uint64) bool {
	if !cpu.HasAVX512 || f.mb < 15 {
		return false
	}
	pr := f.params(i, sw)
	t0 := &f.rt[0][0]
	if pr.small != 0 {
		t0 = &f.rt32[0][0]
	}
	ffbGatherTAVX512(&acc[0], &buf[0], &gt[0], t0, &f.rt[1][0], &f.rt[2][0], &sw[0], &pr)
	return true
}
