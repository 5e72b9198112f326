//go:build gc && !purego

#include "textflag.h"

DATA ffbIota<>+0(SB)/4, $0
DATA ffbIota<>+4(SB)/4, $1
DATA ffbIota<>+8(SB)/4, $2
DATA ffbIota<>+12(SB)/4, $3
DATA ffbIota<>+16(SB)/4, $4
DATA ffbIota<>+20(SB)/4, $5
DATA ffbIota<>+24(SB)/4, $6
DATA ffbIota<>+28(SB)/4, $7
DATA ffbIota<>+32(SB)/4, $8
DATA ffbIota<>+36(SB)/4, $9
DATA ffbIota<>+40(SB)/4, $10
DATA ffbIota<>+44(SB)/4, $11
DATA ffbIota<>+48(SB)/4, $12
DATA ffbIota<>+52(SB)/4, $13
DATA ffbIota<>+56(SB)/4, $14
DATA ffbIota<>+60(SB)/4, $15
GLOBL ffbIota<>(SB), RODATA|NOPTR, $64

// Params (ffbParams): 0 lb, 8 nhi, 16 c0, 24 c1, 32 c2, 40 m, 48 rowmask,
// 56 small (the table indexed by the high half, t2 forward and t0
// transposed, has at most 32 entries and is passed padded to 32: it is
// read from Z16:Z17 by VPERMI2D instead of a gather).
//
// Common set-up: Z11 = lane, Z4 = 16, Z15 = lb, Z14 = sign bit,
// Z13 = lane ^ (m & 15) (G_i,k for 16 consecutive k is the aligned group
// of 16 table entries at (k ^ m) &^ 15 in that lane order).
#define FFB_SETUP \
	MOVQ         pr+56(FP), R12 \
	VMOVDQU32    ffbIota<>(SB), Z11 \
	MOVL         $16, CX \
	VPBROADCASTD CX, Z4 \
	MOVQ         0(R12), CX \
	VPBROADCASTD CX, Z15 \
	MOVL         $0x80000000, CX \
	VPBROADCASTD CX, Z14 \
	MOVQ         40(R12), CX \
	ANDQ         $15, CX \
	VPBROADCASTD CX, Z13 \
	VPXORD       Z11, Z13, Z13

// Z3 = G_i,k for the 16 k from BX (gt in DX, sign words in R11);
// clobbers CX, R13, K3.
#define FFB_G \
	MOVQ         BX, CX \
	XORQ         40(R12), CX \
	ANDQ         $~15, CX \
	VPERMD       (DX)(CX*4), Z13, Z3 \
	MOVQ         BX, R13 \
	SHRQ         $6, R13 \
	MOVQ         (R11)(R13*8), R13 \
	MOVQ         BX, CX \
	ANDQ         $63, CX \
	SHRQ         CX, R13 \
	KMOVW        R13, K3 \
	VPXORD       Z14, Z3, K3, Z3

// func ffbGatherAVX512(out, v, gt *float32, t0, t1, t2 *uint32, sw *uint64, pr *ffbParams)
// out[k] = G_i,k v[pi_i(k)] for k in [0, L), row by row (hi = k >> lb):
// r0 = t0[hi^c0]; l1 = lo ^ r0; h2 = hi ^ t1[l1^c1]; l3 = l1 ^ t2[h2^c2].
// In a row the 16 values l1^c1 of a group are the aligned 16 table entries
// at (lo0 ^ r0 ^ c1) &^ 15 in the lane order lane ^ ((r0^c1) & 15): t1 is
// read by a load and a VPERMD. Z0 = lo, Z1 = r0, Z2 = hi, Z10 = lane
// order, Z12 = c2; AX = hi, BX = k, R14 = (r0 ^ c1) &^ 15.
TEXT ·ffbGatherAVX512(SB), NOSPLIT, $0-64
	MOVQ out+0(FP), DI
	MOVQ v+8(FP), SI
	MOVQ gt+16(FP), DX
	MOVQ t0+24(FP), R8
	MOVQ t1+32(FP), R9
	MOVQ t2+40(FP), R10
	MOVQ sw+48(FP), R11
	FFB_SETUP
	MOVQ         32(R12), CX
	VPBROADCASTD CX, Z12
	CMPQ         56(R12), $0
	JEQ          fg_start
	VMOVDQU32    0(R10), Z16
	VMOVDQU32    64(R10), Z17

fg_start:
	XORQ AX, AX
	XORQ BX, BX

fg_row:
	MOVQ         AX, R13
	XORQ         16(R12), R13
	MOVL         (R8)(R13*4), R13
	VPBROADCASTD R13, Z1
	MOVQ         R13, R14
	XORQ         24(R12), R14
	MOVQ         R14, CX
	ANDQ         $15, CX
	VPBROADCASTD CX, Z10
	VPXORD       Z11, Z10, Z10
	ANDQ         $~15, R14
	VPBROADCASTD AX, Z2
	VMOVDQA32    Z11, Z0

fg_loop:
	MOVQ       BX, CX
	ANDQ       48(R12), CX
	XORQ       R14, CX
	VPERMD     (R9)(CX*4), Z10, Z6
	VPXORD     Z2, Z6, Z6
	VPXORD     Z12, Z6, Z7
	CMPQ       56(R12), $0
	JEQ        fg_gather
	VPERMI2D   Z17, Z16, Z7
	JMP        fg_t2

fg_gather:
	KXNORW     K1, K1, K1
	VPGATHERDD (R10)(Z7*4), K1, Z5
	VMOVDQA32  Z5, Z7

fg_t2:
	VPXORD     Z1, Z0, Z5
	VPXORD     Z5, Z7, Z7
	VPSLLVD    Z15, Z6, Z8
	VPORD      Z7, Z8, Z8
	KXNORW     K2, K2, K2
	VGATHERDPS (SI)(Z8*4), K2, Z9
	FFB_G
	VMULPS     Z3, Z9, Z9
	VMOVUPS    Z9, (DI)(BX*4)
	VPADDD     Z4, Z0, Z0
	ADDQ       $16, BX
	MOVQ       BX, CX
	ANDQ       48(R12), CX
	JNZ        fg_loop
	INCQ       AX
	CMPQ       AX, 8(R12)
	JB         fg_row
	VZEROUPPER
	RET

// func ffbGatherTAVX512(acc, buf, gt *float32, t0, t1, t2 *uint32, sw *uint64, pr *ffbParams)
// buf[k] *= G_i,k for k in [0, L), then acc[j] += buf[pinv_i(j)], row by
// row of j (h3 = j >> lb): r2 = t2[h3^c2]; l1 = l3 ^ r2;
// h = h3 ^ t1[l1^c1]; lo = l1 ^ t0[h^c0]; pinv = h << lb | lo.
// Z0 = l3, Z1 = r2, Z2 = h3, Z10 = lane order, Z12 = c0.
TEXT ·ffbGatherTAVX512(SB), NOSPLIT, $0-64
	MOVQ acc+0(FP), DI
	MOVQ buf+8(FP), SI
	MOVQ gt+16(FP), DX
	MOVQ t0+24(FP), R8
	MOVQ t1+32(FP), R9
	MOVQ t2+40(FP), R10
	MOVQ sw+48(FP), R11
	FFB_SETUP
	MOVQ         16(R12), CX
	VPBROADCASTD CX, Z12
	CMPQ         56(R12), $0
	JEQ          ft_start
	VMOVDQU32    0(R8), Z16
	VMOVDQU32    64(R8), Z17

ft_start:
	// L = nhi << lb.
	MOVQ 0(R12), CX
	MOVQ 8(R12), AX
	SHLQ CX, AX
	XORQ BX, BX

ft_g:
	FFB_G
	VMULPS  (SI)(BX*4), Z3, Z3
	VMOVUPS Z3, (SI)(BX*4)
	ADDQ    $16, BX
	CMPQ    BX, AX
	JB      ft_g

	XORQ AX, AX
	XORQ BX, BX

ft_row:
	MOVQ         AX, R13
	XORQ         32(R12), R13
	MOVL         (R10)(R13*4), R13
	VPBROADCASTD R13, Z1
	MOVQ         R13, R14
	XORQ         24(R12), R14
	MOVQ         R14, CX
	ANDQ         $15, CX
	VPBROADCASTD CX, Z10
	VPXORD       Z11, Z10, Z10
	ANDQ         $~15, R14
	VPBROADCASTD AX, Z2
	VMOVDQA32    Z11, Z0

ft_loop:
	MOVQ       BX, CX
	ANDQ       48(R12), CX
	XORQ       R14, CX
	VPERMD     (R9)(CX*4), Z10, Z6
	VPXORD     Z2, Z6, Z6
	VPXORD     Z12, Z6, Z7
	CMPQ       56(R12), $0
	JEQ        ft_gather
	VPERMI2D   Z17, Z16, Z7
	JMP        ft_t0

ft_gather:
	KXNORW     K1, K1, K1
	VPGATHERDD (R8)(Z7*4), K1, Z5
	VMOVDQA32  Z5, Z7

ft_t0:
	VPXORD     Z1, Z0, Z5
	VPXORD     Z5, Z7, Z7
	VPSLLVD    Z15, Z6, Z8
	VPORD      Z7, Z8, Z8
	KXNORW     K2, K2, K2
	VGATHERDPS (SI)(Z8*4), K2, Z9
	VADDPS     (DI)(BX*4), Z9, Z9
	VMOVUPS    Z9, (DI)(BX*4)
	VPADDD     Z4, Z0, Z0
	ADDQ       $16, BX
	MOVQ       BX, CX
	ANDQ       48(R12), CX
	JNZ        ft_loop
	INCQ       AX
	CMPQ       AX, 8(R12)
	JB         ft_row
	VZEROUPPER
	RET
