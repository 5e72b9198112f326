//go:build gc && !purego

#include "textflag.h"

DATA expc<>+0(SB)/4, $0x3fb8aa3b  // log2(e)
DATA expc<>+4(SB)/4, $0x3f317200  // ln2 high part
DATA expc<>+8(SB)/4, $0x35bfbe8e  // ln2 low part
DATA expc<>+12(SB)/4, $0x39500d01 // 1/5040
DATA expc<>+16(SB)/4, $0x3ab60b61 // 1/720
DATA expc<>+20(SB)/4, $0x3c088889 // 1/120
DATA expc<>+24(SB)/4, $0x3d2aaaab // 1/24
DATA expc<>+28(SB)/4, $0x3e2aaaab // 1/6
DATA expc<>+32(SB)/4, $0x3f000000 // 1/2
DATA expc<>+36(SB)/4, $0x3f800000 // 1
DATA expc<>+40(SB)/4, $0xc2d00000 // -104: below, exp rounds to 0
DATA expc<>+44(SB)/4, $0x42c80000 // 100: above, exp overflows to +Inf
GLOBL expc<>(SB), RODATA|NOPTR, $48

#define LOG2E Z22
#define LN2HI Z23
#define LN2LO Z24
#define C7 Z25
#define C6 Z26
#define C5 Z27
#define C4 Z28
#define C3 Z29
#define HALF Z30
#define ONE Z31
#define LO Z18
#define HI Z19
#define SCALE Z20
#define SUB Z21
#define ZERO Z9
#define ACC Z0

// EXP computes e = exp(w) for the 16 values in w (clobbered); scratch n, r.
// The clamps keep NaN (it is the second source of VMAXPS/VMINPS).
#define EXP(w, e, n, r) \
	VMAXPS       w, LO, w      \ // w = max(w, -104)
	VMINPS       w, HI, w      \ // w = min(w, 100)
	VMULPS       LOG2E, w, n   \
	VRNDSCALEPS  $0, n, n      \ // n = round(w*log2e)
	VMOVAPS      w, r          \
	VFNMADD231PS LN2HI, n, r   \ // r = w - n*ln2hi
	VFNMADD231PS LN2LO, n, r   \ // r -= n*ln2lo
	VMOVAPS      C7, e         \
	VFMADD213PS  C6, r, e      \ // Taylor series of e^r, Horner
	VFMADD213PS  C5, r, e      \
	VFMADD213PS  C4, r, e      \
	VFMADD213PS  C3, r, e      \
	VFMADD213PS  HALF, r, e    \
	VFMADD213PS  ONE, r, e     \
	VFMADD213PS  ONE, r, e     \
	VSCALEFPS    n, e, e         // e = e^r * 2^n

// func expSumAVX512(dst, x, mask []float32, scale, sub float32) float32
TEXT ·expSumAVX512(SB), NOSPLIT, $0-84
	MOVQ         dst_base+0(FP), DI
	MOVQ         dst_len+8(FP), CX
	MOVQ         x_base+24(FP), SI
	MOVQ         mask_base+48(FP), DX
	MOVQ         mask_len+56(FP), BX
	VBROADCASTSS scale+72(FP), SCALE
	VBROADCASTSS sub+76(FP), SUB
	VBROADCASTSS expc<>+0(SB), LOG2E
	VBROADCASTSS expc<>+4(SB), LN2HI
	VBROADCASTSS expc<>+8(SB), LN2LO
	VBROADCASTSS expc<>+12(SB), C7
	VBROADCASTSS expc<>+16(SB), C6
	VBROADCASTSS expc<>+20(SB), C5
	VBROADCASTSS expc<>+24(SB), C4
	VBROADCASTSS expc<>+28(SB), C3
	VBROADCASTSS expc<>+32(SB), HALF
	VBROADCASTSS expc<>+36(SB), ONE
	VBROADCASTSS expc<>+40(SB), LO
	VBROADCASTSS expc<>+44(SB), HI
	VPXORD       ZERO, ZERO, ZERO
	VPXORD       ACC, ACC, ACC
	SHRQ         $4, CX
	JZ           hsum
	TESTQ        BX, BX
	JNZ          masked

plain:
	VMOVUPS     (SI), Z1
	VFMSUB213PS SUB, SCALE, Z1   // w = x*scale - sub
	EXP(Z1, Z2, Z3, Z4)
	VMOVUPS     Z2, (DI)
	VADDPS      Z2, ACC, ACC
	ADDQ        $64, SI
	ADDQ        $64, DI
	DECQ        CX
	JNZ         plain
	JMP         hsum

masked:
	VMOVUPS     (SI), Z1
	VFMSUB213PS SUB, SCALE, Z1   // w = x*scale - sub
	EXP(Z1, Z2, Z3, Z4)
	VMOVUPS     (DX), Z5
	VCMPPS      $4, ZERO, Z5, K1 // K1 = mask != 0 (NaN counts as set)
	VMOVAPS.Z   Z2, K1, Z2       // e = 0 where masked
	VMOVUPS     Z2, (DI)
	VADDPS      Z2, ACC, ACC
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, DI
	DECQ        CX
	JNZ         masked

hsum:
	VEXTRACTF32X8 $1, ACC, Y1
	VADDPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VADDPS        X1, X0, X0
	VHADDPS       X0, X0, X0
	VHADDPS       X0, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+80(FP)
	RET
