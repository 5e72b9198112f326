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

// Set-up (both functions): Z0 = lo + lane, Z1 = r0, Z2 = h, Z3 = lb,
// Z4 = 16, Z10 = lane ^ (r0&15), CX = count/16.
TEXT ·permGatherAVX512(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ gs+16(FP), DX
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
	SHRQ $4, CX
	JZ pg_done

pg_loop:
	PERM_INDEX
	KXNORW     K1, K1, K1
	VGATHERDPS (SI)(Z8*4), K1, Z9
	VMULPS     (DX), Z9, Z9
	VMOVUPS    Z9, (DI)
	ADDQ       $64, DX
	ADDQ       $64, DI
	VPADDD     Z4, Z0, Z0
	DECQ       CX
	JNZ        pg_loop

pg_done:
	VZEROUPPER
	RET

// func permScatterAVX512(dst, src, gs *float32, t1, t2 *uint32, lo, count, h, r0, lb int)
// for i := 0; i < count; i++ { dst[pi(k0+i)] = gs[i] * src[i] }, k0 = h<<lb | lo.
TEXT ·permScatterAVX512(SB), NOSPLIT, $0-80
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ gs+16(FP), DX
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
	SHRQ $4, CX
	JZ ps_done

ps_loop:
	PERM_INDEX
	VMOVUPS     (SI), Z9
	VMULPS      (DX), Z9, Z9
	KXNORW      K1, K1, K1
	VSCATTERDPS Z9, K1, (DI)(Z8*4)
	ADDQ        $64, DX
	ADDQ        $64, SI
	VPADDD      Z4, Z0, Z0
	DECQ        CX
	JNZ         ps_loop

ps_done:
	VZEROUPPER
	RET
