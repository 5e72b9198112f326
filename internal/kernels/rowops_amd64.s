//go:build gc && !purego

#include "textflag.h"

DATA rowc<>+0(SB)/4, $0xff800000 // -Inf
GLOBL rowc<>(SB), RODATA|NOPTR, $4

// HSUM16 adds the 16 lanes of Z0 into X0 (lane order fixed).
#define HSUM16 \
	VEXTRACTF32X8 $1, Z0, Y1 \
	VADDPS        Y1, Y0, Y0 \
	VEXTRACTF128  $1, Y0, X1 \
	VADDPS        X1, X0, X0 \
	VHADDPS       X0, X0, X0 \
	VHADDPS       X0, X0, X0

// func maxScaledAVX512(x, mask []float32, scale float32) float32
TEXT ·maxScaledAVX512(SB), NOSPLIT, $0-60
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	MOVQ         mask_base+24(FP), DX
	MOVQ         mask_len+32(FP), BX
	VBROADCASTSS scale+48(FP), Z2
	VBROADCASTSS rowc<>+0(SB), Z0 // running maximum, -Inf
	VPXORD       Z9, Z9, Z9
	SHRQ         $4, CX
	JZ           mdone
	TESTQ        BX, BX
	JNZ          mmasked

mplain:
	VMULPS  (SI), Z2, Z1 // w = x*scale
	VMAXPS  Z1, Z0, Z0   // m = max(m, w)
	ADDQ    $64, SI
	DECQ    CX
	JNZ     mplain
	JMP     mdone

mmasked:
	VMOVUPS (DX), Z3
	VCMPPS  $4, Z9, Z3, K1 // K1 = mask != 0
	VMULPS  (SI), Z2, Z1
	VMAXPS  Z1, Z0, K1, Z0 // m = max(m, w) in the kept lanes only
	ADDQ    $64, SI
	ADDQ    $64, DX
	DECQ    CX
	JNZ     mmasked

mdone:
	// Horizontal maximum of Z0.
	VEXTRACTF32X8 $1, Z0, Y1
	VMAXPS        Y1, Y0, Y0
	VEXTRACTF128  $1, Y0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0x4e, X0, X1
	VMAXPS        X1, X0, X0
	VPERMILPS     $0xb1, X0, X1
	VMAXPS        X1, X0, X0
	VZEROUPPER
	MOVSS         X0, ret+56(FP)
	RET

// func scaleAVX512(x []float32, a float32)
TEXT ·scaleAVX512(SB), NOSPLIT, $0-28
	MOVQ         x_base+0(FP), SI
	MOVQ         x_len+8(FP), CX
	VBROADCASTSS a+24(FP), Z2
	SHRQ         $4, CX
	JZ           sdone

sloop:
	VMULPS  (SI), Z2, Z1
	VMOVUPS Z1, (SI)
	ADDQ    $64, SI
	DECQ    CX
	JNZ     sloop
	VZEROUPPER

sdone:
	RET

// func dotAVX512(a, b []float32) float32
TEXT ·dotAVX512(SB), NOSPLIT, $0-52
	MOVQ   a_base+0(FP), SI
	MOVQ   a_len+8(FP), CX
	MOVQ   b_base+24(FP), DX
	VPXORD Z0, Z0, Z0
	SHRQ   $4, CX
	JZ     ddone

dloop:
	VMOVUPS     (SI), Z1
	VFMADD231PS (DX), Z1, Z0 // s += a*b
	ADDQ        $64, SI
	ADDQ        $64, DX
	DECQ        CX
	JNZ         dloop

ddone:
	HSUM16
	VZEROUPPER
	MOVSS X0, ret+48(FP)
	RET

// func softmaxGradAVX512(dx, y, dy []float32, d, alpha float32)
TEXT ·softmaxGradAVX512(SB), NOSPLIT, $0-80
	MOVQ         dx_base+0(FP), DI
	MOVQ         dx_len+8(FP), CX
	MOVQ         y_base+24(FP), SI
	MOVQ         dy_base+48(FP), DX
	VBROADCASTSS d+72(FP), Z2
	VBROADCASTSS alpha+76(FP), Z3
	SHRQ         $4, CX
	JZ           gdone

gloop:
	VMOVUPS (DX), Z1
	VSUBPS  Z2, Z1, Z1 // dy - d
	VMULPS  (SI), Z3, Z4 // alpha*y
	VMULPS  Z4, Z1, Z1
	VMOVUPS Z1, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	DECQ    CX
	JNZ     gloop
	VZEROUPPER

gdone:
	RET
