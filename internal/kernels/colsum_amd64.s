//go:build gc && !purego

#include "textflag.h"

// func colSum64AVX512(acc *[64]float64, src []float32, ld, rows int)
TEXT ·colSum64AVX512(SB), NOSPLIT, $0-48
	MOVQ    acc+0(FP), DI
	MOVQ    src_base+8(FP), SI
	MOVQ    ld+32(FP), BX
	SHLQ    $2, BX              // row stride in bytes
	MOVQ    rows+40(FP), CX
	VMOVUPD 0(DI), Z0           // the 64 accumulators
	VMOVUPD 64(DI), Z1
	VMOVUPD 128(DI), Z2
	VMOVUPD 192(DI), Z3
	VMOVUPD 256(DI), Z4
	VMOVUPD 320(DI), Z5
	VMOVUPD 384(DI), Z6
	VMOVUPD 448(DI), Z7
	TESTQ   CX, CX
	JZ      store

loop:
	VCVTPS2PD 0(SI), Z8         // 8 floats -> 8 doubles
	VADDPD    Z8, Z0, Z0
	VCVTPS2PD 32(SI), Z9
	VADDPD    Z9, Z1, Z1
	VCVTPS2PD 64(SI), Z10
	VADDPD    Z10, Z2, Z2
	VCVTPS2PD 96(SI), Z11
	VADDPD    Z11, Z3, Z3
	VCVTPS2PD 128(SI), Z12
	VADDPD    Z12, Z4, Z4
	VCVTPS2PD 160(SI), Z13
	VADDPD    Z13, Z5, Z5
	VCVTPS2PD 192(SI), Z14
	VADDPD    Z14, Z6, Z6
	VCVTPS2PD 224(SI), Z15
	VADDPD    Z15, Z7, Z7
	ADDQ      BX, SI
	DECQ      CX
	JNZ       loop

store:
	VMOVUPD Z0, 0(DI)
	VMOVUPD Z1, 64(DI)
	VMOVUPD Z2, 128(DI)
	VMOVUPD Z3, 192(DI)
	VMOVUPD Z4, 256(DI)
	VMOVUPD Z5, 320(DI)
	VMOVUPD Z6, 384(DI)
	VMOVUPD Z7, 448(DI)
	VZEROUPPER
	RET
