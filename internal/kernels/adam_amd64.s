//go:build gc && !purego

#include "textflag.h"

#define GS Z16
#define WD Z17
#define B1 Z18
#define C1 Z19
#define B2 Z20
#define C2 Z21
#define LRWD Z22
#define STEP Z23
#define RBC2 Z24
#define EPS Z25

// MOMENTS updates m and v from the gradient in Z1 and the weight in Z0,
// stores them, and leaves m in Z2 and v in Z3 (no FMA: every product
// rounds, as in adamGeneric).
#define MOMENTS \
	VMULPS  (DX), B1, Z2  \ // b1*m
	VMULPS  Z1, C1, Z4    \ // (1-b1)*g
	VADDPS  Z4, Z2, Z2    \ // m = b1*m + (1-b1)*g
	VMULPS  (R8), B2, Z3  \ // b2*v
	VMULPS  Z1, C2, Z4    \ // (1-b2)*g
	VMULPS  Z1, Z4, Z4    \ // (1-b2)*g*g
	VADDPS  Z4, Z3, Z3    \ // v = b2*v + (1-b2)*g*g
	VMOVUPS Z2, (DX)      \
	VMOVUPS Z3, (R8)

// UPDATE writes w - step*m/(sqrt(v*rbc2)+eps) for w in Z0.
#define UPDATE \
	VMULPS  RBC2, Z3, Z5  \ // v/bc2
	VSQRTPS Z5, Z5        \
	VADDPS  EPS, Z5, Z5   \ // sqrt(v/bc2) + eps
	VMULPS  STEP, Z2, Z6  \ // lr/bc1 * m
	VDIVPS  Z5, Z6, Z6    \
	VSUBPS  Z6, Z0, Z0    \
	VMOVUPS Z0, (DI)

// func adamAVX512(param, grad, m, v []float32, c *adamConsts, decoupled bool)
TEXT ·adamAVX512(SB), NOSPLIT, $0-105
	MOVQ         param_base+0(FP), DI
	MOVQ         param_len+8(FP), CX
	MOVQ         grad_base+24(FP), SI
	MOVQ         m_base+48(FP), DX
	MOVQ         v_base+72(FP), R8
	MOVQ         c+96(FP), AX
	MOVBLZX      decoupled+104(FP), BX
	VBROADCASTSS 0(AX), GS
	VBROADCASTSS 4(AX), WD
	VBROADCASTSS 8(AX), B1
	VBROADCASTSS 12(AX), C1
	VBROADCASTSS 16(AX), B2
	VBROADCASTSS 20(AX), C2
	VBROADCASTSS 24(AX), LRWD
	VBROADCASTSS 28(AX), STEP
	VBROADCASTSS 32(AX), RBC2
	VBROADCASTSS 36(AX), EPS
	SHRQ         $4, CX
	JZ           done
	TESTQ        BX, BX
	JNZ          adamw

l2loop:
	VMOVUPS (DI), Z0       // w
	VMULPS  (SI), GS, Z1   // g = gs*grad
	VMULPS  Z0, WD, Z4     // wd*w
	VADDPS  Z4, Z1, Z1     // g += wd*w
	MOMENTS
	UPDATE
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	DECQ    CX
	JNZ     l2loop
	JMP     vdone

adamw:
	VMOVUPS (DI), Z0       // w
	VMULPS  (SI), GS, Z1   // g = gs*grad
	MOMENTS
	VMULPS  Z0, LRWD, Z4   // lr*wd*w
	VSUBPS  Z4, Z0, Z0     // w -= lr*wd*w
	UPDATE
	ADDQ    $64, DI
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, R8
	DECQ    CX
	JNZ     adamw

vdone:
	VZEROUPPER

done:
	RET
