//go:build gc && !purego

#include "textflag.h"

// HSUMPD adds the 8 float64 lanes of Z0 into X0 (Y1, X1 scratch).
#define HSUMPD \
	VEXTRACTF64X4 $1, Z0, Y1 \
	VADDPD        Y1, Y0, Y0 \
	VEXTRACTF128  $1, Y0, X1 \
	VADDPD        X1, X0, X0 \
	VHADDPD       X0, X0, X0

// func layerNormRowAVX512(y, x, g, b []float32, eps float32) (mean, rstd float32)
TEXT ·layerNormRowAVX512(SB), NOSPLIT, $0-112
	MOVQ y_base+0(FP), DI
	MOVQ y_len+8(FP), BX      // n
	MOVQ x_base+24(FP), SI
	MOVQ g_base+48(FP), DX
	MOVQ b_base+72(FP), R8

	// Pass 1: mean.
	MOVQ      SI, R9
	MOVQ      BX, CX
	SHRQ      $3, CX
	VPXORQ    Z0, Z0, Z0
mean:
	VCVTPS2PD (R9), Z1        // 8 floats -> 8 doubles
	VADDPD    Z1, Z0, Z0
	ADDQ      $32, R9
	DECQ      CX
	JNZ       mean
	HSUMPD
	CVTSQ2SD  BX, X2          // n as float64
	VDIVSD    X2, X0, X3      // mu = sum/n
	VBROADCASTSD X3, Z3

	// Pass 2: variance.
	MOVQ      SI, R9
	MOVQ      BX, CX
	SHRQ      $3, CX
	VPXORQ    Z0, Z0, Z0
vari:
	VCVTPS2PD   (R9), Z1
	VSUBPD      Z3, Z1, Z1    // d = x - mu
	VFMADD231PD Z1, Z1, Z0    // q += d*d
	ADDQ        $32, R9
	DECQ        CX
	JNZ         vari
	HSUMPD
	VDIVSD      X2, X0, X0    // q/n
	VCVTSS2SD   eps+96(FP), X4, X4
	VADDSD      X4, X0, X0    // q/n + eps
	VSQRTSD     X0, X0, X0
	MOVQ        $0x3ff0000000000000, AX
	MOVQ        AX, X5        // 1.0
	VDIVSD      X0, X5, X5    // rs = 1/sqrt(q/n + eps)
	VBROADCASTSD X5, Z5

	// Pass 3: y = (x - mu)*rs*g + b in float64.
	MOVQ      BX, CX
	SHRQ      $3, CX
norm:
	VCVTPS2PD (SI), Z1
	VSUBPD    Z3, Z1, Z1      // x - mu
	VMULPD    Z5, Z1, Z1      // *rs
	VCVTPS2PD (DX), Z6
	VMULPD    Z6, Z1, Z1      // *g
	VCVTPS2PD (R8), Z7
	VADDPD    Z7, Z1, Z1      // +b
	VCVTPD2PS Z1, Y1
	VMOVUPS   Y1, (DI)
	ADDQ      $32, SI
	ADDQ      $32, DX
	ADDQ      $32, R8
	ADDQ      $32, DI
	DECQ      CX
	JNZ       norm

	VCVTSD2SS X3, X3, X3
	VCVTSD2SS X5, X5, X5
	VZEROUPPER
	MOVSS     X3, mean+104(FP)
	MOVSS     X5, rstd+108(FP)
	RET
