//go:build gc && !purego

#include "textflag.h"

DATA iota16<>+0(SB)/4, $0
DATA iota16<>+4(SB)/4, $1
DATA iota16<>+8(SB)/4, $2
DATA iota16<>+12(SB)/4, $3
DATA iota16<>+16(SB)/4, $4
DATA iota16<>+20(SB)/4, $5
DATA iota16<>+24(SB)/4, $6
DATA iota16<>+28(SB)/4, $7
DATA iota16<>+32(SB)/4, $8
DATA iota16<>+36(SB)/4, $9
DATA iota16<>+40(SB)/4, $10
DATA iota16<>+44(SB)/4, $11
DATA iota16<>+48(SB)/4, $12
DATA iota16<>+52(SB)/4, $13
DATA iota16<>+56(SB)/4, $14
DATA iota16<>+60(SB)/4, $15
GLOBL iota16<>(SB), RODATA|NOPTR, $64

DATA iotaq2<>+0(SB)/8, $0
DATA iotaq2<>+8(SB)/8, $2
DATA iotaq2<>+16(SB)/8, $4
DATA iotaq2<>+24(SB)/8, $6
DATA iotaq2<>+32(SB)/8, $8
DATA iotaq2<>+40(SB)/8, $10
DATA iotaq2<>+48(SB)/8, $12
DATA iotaq2<>+56(SB)/8, $14
GLOBL iotaq2<>(SB), RODATA|NOPTR, $64

// Z8 = pi(k) for the 16 k of this row whose low halves are in Z0 (see
// Fastfood.perm): l1 = lo^r0, h2 = h^t1[l1], l3 = l1^t2[h2], pi = h2<<lb | l3.
// lo is a multiple of 16, so the 16 values l1 are the 16 consecutive table
// entries from (lo^r0)&^15 in the lane order lane^(r0&15) (Z10): t1 is read
// by a load and a VPERMD instead of a gather.
#define PERM_INDEX \
	VPXORD Z1, Z0, Z5 \
	VMOVD X5, AX \
	ANDL $~15, AX \
	VPERMD (R8)(AX*4), Z10, Z6 \
	VPXORD Z2, Z6, Z6 \
	KXNORW K1, K1, K1 \
	VPGATHERDD (R9)(Z6*4), K1, Z7 \
	VPXORD Z5, Z7, Z7 \
	VPSLLVD Z3, Z6, Z8 \
	VPORD Z7, Z8, Z8

// G_k for 16 consecutive k (see gOf), from the splitmix64 counters of the
// even elements (Z11) and the odd ones (Z12): Z11/Z12 hold 8 qword
// counters each, so the two 8-lane hashes interleave into the 16 dword
// lanes of Z20 by a shift and an or. h = fmix64(z), G = 2 (S + (h&1)) -
// 2041 with S the sum of h's bytes (VPSADBW against zero). Set-up (GSETUP,
// DX = counter of the first element): Z13 = 16 golden, Z14, Z15 = the
// multipliers, Z16 = 0, Z17 = qword 1, Z18 = dword 2041. Temporaries
// Z19, Z21, Z22. The counters advance by 16 elements.
#define GSETUP \
	VPBROADCASTQ DX, Z11 \
	MOVQ         $0x9e3779b97f4a7c15, AX \
	VPBROADCASTQ AX, Z19 \
	VPMULLQ      iotaq2<>(SB), Z19, Z20 \
	VPADDQ       Z20, Z11, Z11 \
	VPADDQ       Z19, Z11, Z12 \
	MOVQ         $0xe3779b97f4a7c150, AX \
	VPBROADCASTQ AX, Z13 \
	MOVQ         $0xbf58476d1ce4e5b9, AX \
	VPBROADCASTQ AX, Z14 \
	MOVQ         $0x94d049bb133111eb, AX \
	VPBROADCASTQ AX, Z15 \
	VPXORQ       Z16, Z16, Z16 \
	MOVQ         $1, AX \
	VPBROADCASTQ AX, Z17 \
	MOVL         $2041, AX \
	VPBROADCASTD AX, Z18

#define GVAL \
	VPSRLQ    $30, Z11, Z19 \
	VPSRLQ    $30, Z12, Z20 \
	VPXORQ    Z11, Z19, Z19 \
	VPXORQ    Z12, Z20, Z20 \
	VPMULLQ   Z14, Z19, Z19 \
	VPMULLQ   Z14, Z20, Z20 \
	VPSRLQ    $27, Z19, Z21 \
	VPSRLQ    $27, Z20, Z22 \
	VPXORQ    Z21, Z19, Z19 \
	VPXORQ    Z22, Z20, Z20 \
	VPMULLQ   Z15, Z19, Z19 \
	VPMULLQ   Z15, Z20, Z20 \
	VPSRLQ    $31, Z19, Z21 \
	VPSRLQ    $31, Z20, Z22 \
	VPXORQ    Z21, Z19, Z19 \
	VPXORQ    Z22, Z20, Z20 \
	VPSADBW   Z16, Z19, Z21 \
	VPSADBW   Z16, Z20, Z22 \
	VPANDQ    Z17, Z19, Z19 \
	VPANDQ    Z17, Z20, Z20 \
	VPADDQ    Z21, Z19, Z19 \
	VPADDQ    Z22, Z20, Z20 \
	VPSLLQ    $32, Z20, Z20 \
	VPORQ     Z19, Z20, Z20 \
	VPADDD    Z20, Z20, Z20 \
	VPSUBD    Z18, Z20, Z20 \
	VCVTDQ2PS Z20, Z20 \
	VPADDQ    Z13, Z11, Z11 \
	VPADDQ    Z13, Z12, Z12

// Set-up (both functions): Z0 = lo + lane, Z1 = r0, Z2 = h, Z3 = lb,
// Z4 = 16, Z10 = lane ^ (r0&15), CX = count/16.
TEXT ·permGatherAVX512(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ gz+16(FP), DX
	MOVQ t1+24(FP), R8
	MOVQ t2+32(FP), R9
	MOVQ lo+40(FP), AX
	MOVQ count+48(FP), CX
	MOVQ h+56(FP), BX
	MOVQ r0+64(FP), R11
	MOVQ lb+72(FP), R12
	VPBROADCASTD AX, Z0
	VPADDD iota16<>(SB), Z0, Z0
	VPBROADCASTD R11, Z1
	VPSRLD       $4, Z1, Z10
	VPSLLD       $4, Z10, Z10
	VPXORD       Z1, Z10, Z10
	VPXORD       iota16<>(SB), Z10, Z10
	VPBROADCASTD BX, Z2
	VPBROADCASTD R12, Z3
	MOVL $16, AX
	VPBROADCASTD AX, Z4
	GSETUP
	SHRQ $4, CX
	JZ pg_done

pg_loop:
	PERM_INDEX
	KXNORW     K1, K1, K1
	VGATHERDPS (SI)(Z8*4), K1, Z9
	GVAL
	VMULPS     Z20, Z9, Z9
	VMOVUPS    Z9, (DI)
	ADDQ       $64, DI
	VPADDD     Z4, Z0, Z0
	DECQ       CX
	JNZ        pg_loop

pg_done:
	VZEROUPPER
	RET

// func permScatterAVX512(dst, src *float32, gz uint64, t1, t2 *uint32, lo, count, h, r0, lb int)
// for i := 0; i < count; i++ { dst[pi(k0+i)] = G_{k0+i} src[i] }, k0 = h<<lb | lo.
TEXT ·permScatterAVX512(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ gz+16(FP), DX
	MOVQ t1+24(FP), R8
	MOVQ t2+32(FP), R9
	MOVQ lo+40(FP), AX
	MOVQ count+48(FP), CX
	MOVQ h+56(FP), BX
	MOVQ r0+64(FP), R11
	MOVQ lb+72(FP), R12
	VPBROADCASTD AX, Z0
	VPADDD iota16<>(SB), Z0, Z0
	VPBROADCASTD R11, Z1
	VPSRLD       $4, Z1, Z10
	VPSLLD       $4, Z10, Z10
	VPXORD       Z1, Z10, Z10
	VPXORD       iota16<>(SB), Z10, Z10
	VPBROADCASTD BX, Z2
	VPBROADCASTD R12, Z3
	MOVL $16, AX
	VPBROADCASTD AX, Z4
	GSETUP
	SHRQ $4, CX
	JZ ps_done

ps_loop:
	PERM_INDEX
	GVAL
	VMULPS      (SI), Z20, Z9
	KXNORW      K1, K1, K1
	VSCATTERDPS Z9, K1, (DI)(Z8*4)
	ADDQ        $64, SI
	VPADDD      Z4, Z0, Z0
	DECQ        CX
	JNZ         ps_loop

ps_done:
	VZEROUPPER
	RET

DATA gEven4<>+0(SB)/8, $0x0
DATA gEven4<>+8(SB)/8, $0x3c6ef372fe94f82a
DATA gEven4<>+16(SB)/8, $0x78dde6e5fd29f054
DATA gEven4<>+24(SB)/8, $0xb54cda58fbbee87e
GLOBL gEven4<>(SB), RODATA|NOPTR, $32

// Y<a> = Y<a> * (bl + bh 2^32) mod 2^64 in each qword lane (AVX2 has no
// 64-bit multiply): lo(a) bl + (hi(a) bl + lo(a) bh) 2^32. bl, bh hold the
// constant's low and high halves in the low dword of every qword.
#define MUL64(a, bl, bh, t, u) \
	VPSRLQ   $32, a, t \
	VPMULUDQ bl, t, t \
	VPMULUDQ bh, a, u \
	VPADDQ   u, t, t \
	VPSLLQ   $32, t, t \
	VPMULUDQ bl, a, a \
	VPADDQ   t, a, a

// h = fmix64(z) (splitmix64's output function), then h = S + (h&1) with S
// the sum of h's bytes; Y4..Y9 as set up in gBlockAVX2.
#define GHASH(z, h, t, u) \
	VPSRLQ   $30, z, t \
	VPXOR    z, t, h \
	MUL64(h, Y4, Y5, t, u) \
	VPSRLQ   $27, h, t \
	VPXOR    t, h, h \
	MUL64(h, Y6, Y7, t, u) \
	VPSRLQ   $31, h, t \
	VPXOR    t, h, h \
	VPSADBW  Y8, h, t \
	VPAND    Y9, h, h \
	VPADDQ   t, h, h

// func gBlockAVX2(dst *float32, z uint64, n int)
// for i := 0; i < n; i++ { dst[i] = gOf(z + i golden) }; n a positive
// multiple of 8. Y0, Y1: the counters of the even and the odd elements.
TEXT ·gBlockAVX2(SB), NOSPLIT, $0-24
	MOVQ         dst+0(FP), DI
	MOVQ         z+8(FP), DX
	MOVQ         n+16(FP), CX
	VMOVQ        DX, X0
	VPBROADCASTQ X0, Y0
	VPADDQ       gEven4<>(SB), Y0, Y0
	MOVQ         $0x9e3779b97f4a7c15, AX
	VMOVQ        AX, X2
	VPBROADCASTQ X2, Y2
	VPADDQ       Y2, Y0, Y1
	MOVQ         $0xf1bbcdcbfa53e0a8, AX
	VMOVQ        AX, X3
	VPBROADCASTQ X3, Y3
	MOVQ         $0xbf58476d1ce4e5b9, AX
	VMOVQ        AX, X4
	VPBROADCASTQ X4, Y4
	VPSRLQ       $32, Y4, Y5
	MOVQ         $0x94d049bb133111eb, AX
	VMOVQ        AX, X6
	VPBROADCASTQ X6, Y6
	VPSRLQ       $32, Y6, Y7
	VPXOR        Y8, Y8, Y8
	MOVQ         $1, AX
	VMOVQ        AX, X9
	VPBROADCASTQ X9, Y9
	MOVL         $2041, AX
	VMOVD        AX, X10
	VPBROADCASTD X10, Y10
	SHRQ         $3, CX
	JZ           gb_done

gb_loop:
	GHASH(Y0, Y11, Y13, Y14)
	GHASH(Y1, Y12, Y13, Y14)
	VPSLLQ    $32, Y12, Y12
	VPOR      Y11, Y12, Y12
	VPADDD    Y12, Y12, Y12
	VPSUBD    Y10, Y12, Y12
	VCVTDQ2PS Y12, Y12
	VMOVUPS   Y12, (DI)
	ADDQ      $32, DI
	VPADDQ    Y3, Y0, Y0
	VPADDQ    Y3, Y1, Y1
	DECQ      CX
	JNZ       gb_loop

gb_done:
	VZEROUPPER
	RET
