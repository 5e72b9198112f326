//go:build gc && !purego

#include "textflag.h"

// Go's arm64 assembler has no vector FADD/FSUB: they are encoded by hand.
// FADD Vd.4S, Vn.4S, Vm.4S = 0x4E20D400 | m<<16 | n<<5 | d
// FSUB Vd.4S, Vn.4S, Vm.4S = 0x4EA0D400 | m<<16 | n<<5 | d
// BF(a, b, s, d): Vs = Va + Vb; Vd = Va - Vb (register numbers).
#define BF(a, b, s, d) \
	WORD $(0x4E20D400 | (b)<<16 | (a)<<5 | (s)) \
	WORD $(0x4EA0D400 | (b)<<16 | (a)<<5 | (d))

// Three radix-2 levels on rows V[a0..a7] through V[b0..b7]; result in b.
#define R8(a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	BF(a0, a1, b0, b1); BF(a2, a3, b2, b3); BF(a4, a5, b4, b5); BF(a6, a7, b6, b7) \
	BF(b0, b2, a0, a2); BF(b1, b3, a1, a3); BF(b4, b6, a4, a6); BF(b5, b7, a5, a7) \
	BF(a0, a4, b0, b4); BF(a1, a5, b1, b5); BF(a2, a6, b2, b6); BF(a3, a7, b3, b7)

// Level s=1 inside a vector: b = rev64(a) + a*sign1 (sign in V16).
#define IV1(a, b) VREV64 a.S4, b.S4; VFMLA V16.S4, a.S4, b.S4
// Level s=2: b = ext(a, a, 8 bytes) + a*sign2 (sign in V17).
#define IV2(a, b) VEXT $8, a.B16, a.B16, b.B16; VFMLA V17.S4, a.S4, b.S4

// Row pointers R0..R7 = x + i*h, R10 = cols/4.
#define ROWPTRS \
	MOVD x+0(FP), R0 \
	MOVD h+8(FP), R9 \
	MOVD cols+16(FP), R10 \
	LSL  $2, R9 \
	ADD  R9, R0, R1 \
	ADD  R9, R1, R2 \
	ADD  R9, R2, R3 \
	ADD  R9, R3, R4 \
	ADD  R9, R4, R5 \
	ADD  R9, R5, R6 \
	ADD  R9, R6, R7 \
	LSR  $2, R10

// func base128NEON(x *float32, n int, signs *float32)
// Levels 1, 2, 4, 8, 16 on every chunk of 32 floats; n is a multiple of 32.
TEXT ·base128NEON(SB), NOSPLIT, $0-24
	MOVD x+0(FP), R0
	MOVD R0, R1
	MOVD n+8(FP), R3
	MOVD signs+16(FP), R2
	VLD1 (R2), [V16.S4]        // + - + -
	ADD  $64, R2
	VLD1 (R2), [V17.S4]        // + + - -
	LSR  $5, R3
	CBZ  R3, bdone

bloop:
	VLD1.P 64(R0), [V0.S4, V1.S4, V2.S4, V3.S4]
	VLD1.P 64(R0), [V4.S4, V5.S4, V6.S4, V7.S4]
	IV1(V0, V8); IV1(V1, V9); IV1(V2, V10); IV1(V3, V11)
	IV1(V4, V12); IV1(V5, V13); IV1(V6, V14); IV1(V7, V15)
	IV2(V8, V0); IV2(V9, V1); IV2(V10, V2); IV2(V11, V3)
	IV2(V12, V4); IV2(V13, V5); IV2(V14, V6); IV2(V15, V7)
	R8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	VST1.P [V8.S4, V9.S4, V10.S4, V11.S4], 64(R1)
	VST1.P [V12.S4, V13.S4, V14.S4, V15.S4], 64(R1)
	SUBS $1, R3
	BNE  bloop

bdone:
	RET

// func r8NEON(x *float32, h, cols int)
TEXT ·r8NEON(SB), NOSPLIT, $0-24
	ROWPTRS
	CBZ R10, r8done

r8loop:
	VLD1 (R0), [V0.S4]
	VLD1 (R1), [V1.S4]
	VLD1 (R2), [V2.S4]
	VLD1 (R3), [V3.S4]
	VLD1 (R4), [V4.S4]
	VLD1 (R5), [V5.S4]
	VLD1 (R6), [V6.S4]
	VLD1 (R7), [V7.S4]
	R8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
	VST1.P [V8.S4], 16(R0)
	VST1.P [V9.S4], 16(R1)
	VST1.P [V10.S4], 16(R2)
	VST1.P [V11.S4], 16(R3)
	VST1.P [V12.S4], 16(R4)
	VST1.P [V13.S4], 16(R5)
	VST1.P [V14.S4], 16(R6)
	VST1.P [V15.S4], 16(R7)
	SUBS $1, R10
	BNE  r8loop

r8done:
	RET

// func r4NEON(x *float32, h, cols int)
TEXT ·r4NEON(SB), NOSPLIT, $0-24
	ROWPTRS
	CBZ R10, r4done

r4loop:
	VLD1 (R0), [V0.S4]
	VLD1 (R1), [V1.S4]
	VLD1 (R2), [V2.S4]
	VLD1 (R3), [V3.S4]
	BF(0, 1, 4, 5); BF(2, 3, 6, 7)
	BF(4, 6, 0, 2); BF(5, 7, 1, 3)
	VST1.P [V0.S4], 16(R0)
	VST1.P [V1.S4], 16(R1)
	VST1.P [V2.S4], 16(R2)
	VST1.P [V3.S4], 16(R3)
	SUBS $1, R10
	BNE  r4loop

r4done:
	RET

// func r2NEON(x *float32, h, cols int)
TEXT ·r2NEON(SB), NOSPLIT, $0-24
	ROWPTRS
	CBZ R10, r2done

r2loop:
	VLD1 (R0), [V0.S4]
	VLD1 (R1), [V1.S4]
	BF(0, 1, 2, 3)
	VST1.P [V2.S4], 16(R0)
	VST1.P [V3.S4], 16(R1)
	SUBS $1, R10
	BNE  r2loop

r2done:
	RET

// func scaleNEON(x *float32, n int, s float32)
// for i := range x[:n] { x[i] *= s }; n is a multiple of 16.
// FMUL Vd.4S, Vn.4S, Vm.4S = 0x6E20DC00 | m<<16 | n<<5 | d.
TEXT ·scaleNEON(SB), NOSPLIT, $0-20
	MOVD  x+0(FP), R0
	MOVD  R0, R1
	MOVD  n+8(FP), R2
	FMOVS s+16(FP), F0
	VDUP  V0.S[0], V1.S4
	LSR   $4, R2
	CBZ   R2, scdone

scloop:
	VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4]
	WORD   $(0x6E20DC00 | 1<<16 | 2<<5 | 2) // V2 = V2 * V1
	WORD   $(0x6E20DC00 | 1<<16 | 3<<5 | 3) // V3 = V3 * V1
	WORD   $(0x6E20DC00 | 1<<16 | 4<<5 | 4) // V4 = V4 * V1
	WORD   $(0x6E20DC00 | 1<<16 | 5<<5 | 5) // V5 = V5 * V1
	VST1.P [V2.S4, V3.S4, V4.S4, V5.S4], 64(R1)
	SUBS   $1, R2
	BNE    scloop

scdone:
	RET
