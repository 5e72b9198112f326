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

// LNHSUM16 adds the 16 float32 lanes of Z0 into X0 (Y1, X1 scratch).
#define LNHSUM16 \
	VEXTRACTF32X8 $1, Z0, Y1 \
	VADDPS        Y1, Y0, Y0 \
	VEXTRACTF128  $1, Y0, X1 \
	VADDPS        X1, X0, X0 \
	VHADDPS       X0, X0, X0 \
	VHADDPS       X0, X0, X0

// func layerNormGradRowAVX512(dx, x, dy, g []float32, mu, rs float32)
TEXT ·layerNormGradRowAVX512(SB), NOSPLIT, $0-104
	MOVQ         dx_base+0(FP), DI
	MOVQ         dx_len+8(FP), BX      // n
	MOVQ         x_base+24(FP), SI
	MOVQ         dy_base+48(FP), DX
	MOVQ         g_base+72(FP), R8
	VBROADCASTSS mu+96(FP), Z8
	VBROADCASTSS rs+100(FP), Z9

	// Pass 1: sg = sum(dy*g), sgx = sum(dy*g*xhat).
	MOVQ   SI, R10
	MOVQ   DX, R11
	MOVQ   R8, R12
	MOVQ   BX, CX
	SHRQ   $4, CX
	VPXORD Z0, Z0, Z0
	VPXORD Z10, Z10, Z10
sums:
	VMOVUPS     (R10), Z2
	VSUBPS      Z8, Z2, Z2        // x - mu
	VMULPS      Z9, Z2, Z2        // xhat
	VMOVUPS     (R11), Z3
	VMULPS      (R12), Z3, Z4     // gj = dy*g
	VADDPS      Z4, Z0, Z0        // sg += gj
	VFMADD231PS Z4, Z2, Z10       // sgx += gj*xhat
	ADDQ        $64, R10
	ADDQ        $64, R11
	ADDQ        $64, R12
	DECQ        CX
	JNZ         sums
	LNHSUM16                      // X0 = sg
	MOVSS       X0, X11
	VMOVAPS     Z10, Z0
	LNHSUM16                      // X0 = sgx
	MOVSS       X0, X12
	CVTSQ2SS    BX, X13           // n as float32
	VDIVSS      X13, X11, X11     // mg = sg/n
	VDIVSS      X13, X12, X12     // mgx = sgx/n
	VBROADCASTSS X11, Z11
	VBROADCASTSS X12, Z12

	// Pass 2: dx = rs*(gj - mg - xhat*mgx).
	MOVQ BX, CX
	SHRQ $4, CX
grad:
	VMOVUPS      (SI), Z2
	VSUBPS       Z8, Z2, Z2       // x - mu
	VMULPS       Z9, Z2, Z2       // xhat
	VMOVUPS      (DX), Z3
	VMULPS       (R8), Z3, Z4     // gj
	VSUBPS       Z11, Z4, Z4      // gj - mg
	VFNMADD231PS Z12, Z2, Z4      // - xhat*mgx
	VMULPS       Z9, Z4, Z4       // *rs
	VMOVUPS      Z4, (DI)
	ADDQ         $64, SI
	ADDQ         $64, DX
	ADDQ         $64, R8
	ADDQ         $64, DI
	DECQ         CX
	JNZ          grad
	VZEROUPPER
	RET

// LNPCHUNK handles columns off..off+7 of one row: Z(accg) += float64((x-mu)*dy*rs),
// Z(accb) += float64(dy).
#define LNPCHUNK(off, accg, accb) \
	VMOVUPS   off(SI), Y16       \ // x
	VSUBPS    Y30, Y16, Y16      \ // x - mu
	VMOVUPS   off(DX), Y17       \ // dy
	VMULPS    Y17, Y16, Y16      \ // dy*(x - mu)
	VMULPS    Y31, Y16, Y16      \ // *rs
	VCVTPS2PD Y16, Z18           \
	VADDPD    Z18, accg, accg    \
	VCVTPS2PD Y17, Z19           \
	VADDPD    Z19, accb, accb

// func lnParamSums64AVX512(ag, ab *[64]float64, x, dy []float32, ld, rows int, mean, rstd []float32)
TEXT ·lnParamSums64AVX512(SB), NOSPLIT, $0-128
	MOVQ ag+0(FP), DI
	MOVQ ab+8(FP), R9
	MOVQ x_base+16(FP), SI
	MOVQ dy_base+40(FP), DX
	MOVQ ld+64(FP), BX
	SHLQ $2, BX                 // row stride in bytes
	MOVQ rows+72(FP), CX
	MOVQ mean_base+80(FP), R10
	MOVQ rstd_base+104(FP), R11
	VMOVUPD 0(DI), Z0           // gamma sums, 64 columns
	VMOVUPD 64(DI), Z1
	VMOVUPD 128(DI), Z2
	VMOVUPD 192(DI), Z3
	VMOVUPD 256(DI), Z4
	VMOVUPD 320(DI), Z5
	VMOVUPD 384(DI), Z6
	VMOVUPD 448(DI), Z7
	VMOVUPD 0(R9), Z8           // beta sums
	VMOVUPD 64(R9), Z9
	VMOVUPD 128(R9), Z10
	VMOVUPD 192(R9), Z11
	VMOVUPD 256(R9), Z12
	VMOVUPD 320(R9), Z13
	VMOVUPD 384(R9), Z14
	VMOVUPD 448(R9), Z15

prow:
	VBROADCASTSS (R10), Y30     // mean[r]
	VBROADCASTSS (R11), Y31     // rstd[r]
	LNPCHUNK(0, Z0, Z8)
	LNPCHUNK(32, Z1, Z9)
	LNPCHUNK(64, Z2, Z10)
	LNPCHUNK(96, Z3, Z11)
	LNPCHUNK(128, Z4, Z12)
	LNPCHUNK(160, Z5, Z13)
	LNPCHUNK(192, Z6, Z14)
	LNPCHUNK(224, Z7, Z15)
	ADDQ BX, SI
	ADDQ BX, DX
	ADDQ $4, R10
	ADDQ $4, R11
	DECQ CX
	JNZ  prow

	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	VMOVUPD Z4, 256(DI)
	VMOVUPD Z5, 320(DI)
	VMOVUPD Z6, 384(DI)
	VMOVUPD Z7, 448(DI)
	VMOVUPD Z8, 0(R9)
	VMOVUPD Z9, 64(R9)
	VMOVUPD Z10, 128(R9)
	VMOVUPD Z11, 192(R9)
	VMOVUPD Z12, 256(R9)
	VMOVUPD Z13, 320(R9)
	VMOVUPD Z14, 384(R9)
	VMOVUPD Z15, 448(R9)
	VZEROUPPER
	RET
