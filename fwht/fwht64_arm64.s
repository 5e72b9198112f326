//go:build gc && !purego

#include "textflag.h"

// float64 kernels: fwht_arm64.s with 2-lane vectors.
// FADD Vd.2D, Vn.2D, Vm.2D = 0x4E60D400 | m<<16 | n<<5 | d
// FSUB Vd.2D, Vn.2D, Vm.2D = 0x4EE0D400 | m<<16 | n<<5 | d
#define BFD(a, b, s, d) \
	WORD $(0x4E60D400 | (b)<<16 | (a)<<5 | (s)) \
	WORD $(0x4EE0D400 | (b)<<16 | (a)<<5 | (d))

#define RADIX8D(a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	BFD(a0, a1, b0, b1); BFD(a2, a3, b2, b3); BFD(a4, a5, b4, b5); BFD(a6, a7, b6, b7) \
	BFD(b0, b2, a0, a2); BFD(b1, b3, a1, a3); BFD(b4, b6, a4, a6); BFD(b5, b7, a5, a7) \
	BFD(a0, a4, b0, b4); BFD(a1, a5, b1, b5); BFD(a2, a6, b2, b6); BFD(a3, a7, b3, b7)

// Level s=1 inside a vector: b = swap(a) + a*(+1, -1) (sign in V16).
#define IVD(a, b) VEXT $8, a.B16, a.B16, b.B16; VFMLA V16.D2, a.D2, b.D2

// Row pointers R0..R7 = x + i*h, R10 = cols/2.
#define ROWPTRSD \
	MOVD x+0(FP), R0 \
	MOVD h+8(FP), R9 \
	MOVD cols+16(FP), R10 \
	LSL  $3, R9 \
	ADD  R9, R0, R1 \
	ADD  R9, R1, R2 \
	ADD  R9, R2, R3 \
	ADD  R9, R3, R4 \
	ADD  R9, R4, R5 \
	ADD  R9, R5, R6 \
	ADD  R9, R6, R7 \
	LSR  $1, R10

// func base16dNEON(x *float64, n int, signs *float64)
// Levels 1, 2, 4, 8 on every chunk of 16 float64; n is a multiple of 16.
TEXT ·base16dNEON(SB), NOSPLIT, $0-24
	MOVD x+0(FP), R0
	MOVD R0, R1
	MOVD n+8(FP), R3
	MOVD signs+16(FP), R2
	VLD1 (R2), [V16.D2]
	LSR  $4, R3
	CBZ  R3, bddone

bdloop:
	VLD1.P 64(R0), [V0.D2, V1.D2, V2.D2, V3.D2]
	VLD1.P 64(R0), [V4.D2, V5.D2, V6.D2, V7.D2]
	IVD(V0, V8); IVD(V1, V9); IVD(V2, V10); IVD(V3, V11)
	IVD(V4, V12); IVD(V5, V13); IVD(V6, V14); IVD(V7, V15)
	RADIX8D(8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7)
	VST1.P [V0.D2, V1.D2, V2.D2, V3.D2], 64(R1)
	VST1.P [V4.D2, V5.D2, V6.D2, V7.D2], 64(R1)
	SUBS $1, R3
	BNE  bdloop

bddone:
	RET

// func r8dNEON(x *float64, h, cols int)
TEXT ·r8dNEON(SB), NOSPLIT, $0-24
	ROWPTRSD
	CBZ R10, r8ddone

r8dloop:
	VLD1 (R0), [V0.D2]
	VLD1 (R1), [V1.D2]
	VLD1 (R2), [V2.D2]
	VLD1 (R3), [V3.D2]
	VLD1 (R4), [V4.D2]
	VLD1 (R5), [V5.D2]
	VLD1 (R6), [V6.D2]
	VLD1 (R7), [V7.D2]
	RADIX8D(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	VST1.P [V8.D2], 16(R0)
	VST1.P [V9.D2], 16(R1)
	VST1.P [V10.D2], 16(R2)
	VST1.P [V11.D2], 16(R3)
	VST1.P [V12.D2], 16(R4)
	VST1.P [V13.D2], 16(R5)
	VST1.P [V14.D2], 16(R6)
	VST1.P [V15.D2], 16(R7)
	SUBS $1, R10
	BNE  r8dloop

r8ddone:
	RET

// func r4dNEON(x *float64, h, cols int)
TEXT ·r4dNEON(SB), NOSPLIT, $0-24
	ROWPTRSD
	CBZ R10, r4ddone

r4dloop:
	VLD1 (R0), [V0.D2]
	VLD1 (R1), [V1.D2]
	VLD1 (R2), [V2.D2]
	VLD1 (R3), [V3.D2]
	BFD(0, 1, 4, 5); BFD(2, 3, 6, 7)
	BFD(4, 6, 0, 2); BFD(5, 7, 1, 3)
	VST1.P [V0.D2], 16(R0)
	VST1.P [V1.D2], 16(R1)
	VST1.P [V2.D2], 16(R2)
	VST1.P [V3.D2], 16(R3)
	SUBS $1, R10
	BNE  r4dloop

r4ddone:
	RET

// func r2dNEON(x *float64, h, cols int)
TEXT ·r2dNEON(SB), NOSPLIT, $0-24
	ROWPTRSD
	CBZ R10, r2ddone

r2dloop:
	VLD1 (R0), [V0.D2]
	VLD1 (R1), [V1.D2]
	BFD(0, 1, 2, 3)
	VST1.P [V2.D2], 16(R0)
	VST1.P [V3.D2], 16(R1)
	SUBS $1, R10
	BNE  r2dloop

r2ddone:
	RET
