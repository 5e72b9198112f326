//go:build gc && !purego

#include "textflag.h"

// func kernel8x12NEON(k int, a, b, c *float32, ldc int, alpha, beta float32)
//
// kernel8x12NEON computes the 8x12 tile
//
//	c[i*ldc+j] = alpha * sum_p a[p*8+i]*b[p*12+j] + beta*c[i*ldc+j]
//
// for k >= 0, reading c only when beta != 0 (or -0). The accumulator of
// row i, columns 4v..4v+3, is V(3i+v): V0..V23; V24..V26 hold a row
// of the B sliver and V28, V29 a column of the A sliver, used by element;
// V30 and V31 hold alpha and beta. Go's assembler has no FMLA by element
// nor vector FMUL, so those are WORD encodings (see the comment on each).
TEXT ·kernel8x12NEON(SB), NOSPLIT, $0-48
	MOVD k+0(FP), R3       // R3 = k
	MOVD a+8(FP), R0       // R0 = &a[0]
	MOVD b+16(FP), R1      // R1 = &b[0]
	MOVD c+24(FP), R2      // R2 = &c[0]
	MOVD ldc+32(FP), R4
	LSL  $2, R4            // R4 = ldc in bytes
	VEOR V0.B16, V0.B16, V0.B16
	VEOR V1.B16, V1.B16, V1.B16
	VEOR V2.B16, V2.B16, V2.B16
	VEOR V3.B16, V3.B16, V3.B16
	VEOR V4.B16, V4.B16, V4.B16
	VEOR V5.B16, V5.B16, V5.B16
	VEOR V6.B16, V6.B16, V6.B16
	VEOR V7.B16, V7.B16, V7.B16
	VEOR V8.B16, V8.B16, V8.B16
	VEOR V9.B16, V9.B16, V9.B16
	VEOR V10.B16, V10.B16, V10.B16
	VEOR V11.B16, V11.B16, V11.B16
	VEOR V12.B16, V12.B16, V12.B16
	VEOR V13.B16, V13.B16, V13.B16
	VEOR V14.B16, V14.B16, V14.B16
	VEOR V15.B16, V15.B16, V15.B16
	VEOR V16.B16, V16.B16, V16.B16
	VEOR V17.B16, V17.B16, V17.B16
	VEOR V18.B16, V18.B16, V18.B16
	VEOR V19.B16, V19.B16, V19.B16
	VEOR V20.B16, V20.B16, V20.B16
	VEOR V21.B16, V21.B16, V21.B16
	VEOR V22.B16, V22.B16, V22.B16
	VEOR V23.B16, V23.B16, V23.B16
	CBZ  R3, store

loop:
	VLD1.P 48(R1), [V24.S4, V25.S4, V26.S4] // b[p][0:12]
	VLD1.P 32(R0), [V28.S4, V29.S4] // a[p][0:8]
	WORD $0x4f9c1300 // FMLA V0.4S, V24.4S, V28.S[0]
	WORD $0x4f9c1321 // FMLA V1.4S, V25.4S, V28.S[0]
	WORD $0x4f9c1342 // FMLA V2.4S, V26.4S, V28.S[0]
	WORD $0x4fbc1303 // FMLA V3.4S, V24.4S, V28.S[1]
	WORD $0x4fbc1324 // FMLA V4.4S, V25.4S, V28.S[1]
	WORD $0x4fbc1345 // FMLA V5.4S, V26.4S, V28.S[1]
	WORD $0x4f9c1b06 // FMLA V6.4S, V24.4S, V28.S[2]
	WORD $0x4f9c1b27 // FMLA V7.4S, V25.4S, V28.S[2]
	WORD $0x4f9c1b48 // FMLA V8.4S, V26.4S, V28.S[2]
	WORD $0x4fbc1b09 // FMLA V9.4S, V24.4S, V28.S[3]
	WORD $0x4fbc1b2a // FMLA V10.4S, V25.4S, V28.S[3]
	WORD $0x4fbc1b4b // FMLA V11.4S, V26.4S, V28.S[3]
	WORD $0x4f9d130c // FMLA V12.4S, V24.4S, V29.S[0]
	WORD $0x4f9d132d // FMLA V13.4S, V25.4S, V29.S[0]
	WORD $0x4f9d134e // FMLA V14.4S, V26.4S, V29.S[0]
	WORD $0x4fbd130f // FMLA V15.4S, V24.4S, V29.S[1]
	WORD $0x4fbd1330 // FMLA V16.4S, V25.4S, V29.S[1]
	WORD $0x4fbd1351 // FMLA V17.4S, V26.4S, V29.S[1]
	WORD $0x4f9d1b12 // FMLA V18.4S, V24.4S, V29.S[2]
	WORD $0x4f9d1b33 // FMLA V19.4S, V25.4S, V29.S[2]
	WORD $0x4f9d1b54 // FMLA V20.4S, V26.4S, V29.S[2]
	WORD $0x4fbd1b15 // FMLA V21.4S, V24.4S, V29.S[3]
	WORD $0x4fbd1b36 // FMLA V22.4S, V25.4S, V29.S[3]
	WORD $0x4fbd1b57 // FMLA V23.4S, V26.4S, V29.S[3]
	SUB  $1, R3
	CBNZ R3, loop

store:
	MOVD $alpha+40(FP), R5
	VLD1R (R5), [V30.S4]    // V30 = alpha in every lane
	MOVWU beta+44(FP), R6
	ANDW $0x7fffffff, R6
	CBZW R6, beta0         // beta == 0 (or -0): do not read C
	MOVD $beta+44(FP), R5
	VLD1R (R5), [V31.S4]    // V31 = beta in every lane
	// c[0][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3edc00 // FMUL V0.4S, V0.4S, V30.4S
	VFMLA V31.S4, V24.S4, V0.S4
	WORD $0x6e3edc21 // FMUL V1.4S, V1.4S, V30.4S
	VFMLA V31.S4, V25.S4, V1.S4
	WORD $0x6e3edc42 // FMUL V2.4S, V2.4S, V30.4S
	VFMLA V31.S4, V26.S4, V2.S4
	VST1 [V0.S4, V1.S4, V2.S4], (R2)
	ADD  R4, R2
	// c[1][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3edc63 // FMUL V3.4S, V3.4S, V30.4S
	VFMLA V31.S4, V24.S4, V3.S4
	WORD $0x6e3edc84 // FMUL V4.4S, V4.4S, V30.4S
	VFMLA V31.S4, V25.S4, V4.S4
	WORD $0x6e3edca5 // FMUL V5.4S, V5.4S, V30.4S
	VFMLA V31.S4, V26.S4, V5.S4
	VST1 [V3.S4, V4.S4, V5.S4], (R2)
	ADD  R4, R2
	// c[2][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3edcc6 // FMUL V6.4S, V6.4S, V30.4S
	VFMLA V31.S4, V24.S4, V6.S4
	WORD $0x6e3edce7 // FMUL V7.4S, V7.4S, V30.4S
	VFMLA V31.S4, V25.S4, V7.S4
	WORD $0x6e3edd08 // FMUL V8.4S, V8.4S, V30.4S
	VFMLA V31.S4, V26.S4, V8.S4
	VST1 [V6.S4, V7.S4, V8.S4], (R2)
	ADD  R4, R2
	// c[3][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3edd29 // FMUL V9.4S, V9.4S, V30.4S
	VFMLA V31.S4, V24.S4, V9.S4
	WORD $0x6e3edd4a // FMUL V10.4S, V10.4S, V30.4S
	VFMLA V31.S4, V25.S4, V10.S4
	WORD $0x6e3edd6b // FMUL V11.4S, V11.4S, V30.4S
	VFMLA V31.S4, V26.S4, V11.S4
	VST1 [V9.S4, V10.S4, V11.S4], (R2)
	ADD  R4, R2
	// c[4][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3edd8c // FMUL V12.4S, V12.4S, V30.4S
	VFMLA V31.S4, V24.S4, V12.S4
	WORD $0x6e3eddad // FMUL V13.4S, V13.4S, V30.4S
	VFMLA V31.S4, V25.S4, V13.S4
	WORD $0x6e3eddce // FMUL V14.4S, V14.4S, V30.4S
	VFMLA V31.S4, V26.S4, V14.S4
	VST1 [V12.S4, V13.S4, V14.S4], (R2)
	ADD  R4, R2
	// c[5][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3eddef // FMUL V15.4S, V15.4S, V30.4S
	VFMLA V31.S4, V24.S4, V15.S4
	WORD $0x6e3ede10 // FMUL V16.4S, V16.4S, V30.4S
	VFMLA V31.S4, V25.S4, V16.S4
	WORD $0x6e3ede31 // FMUL V17.4S, V17.4S, V30.4S
	VFMLA V31.S4, V26.S4, V17.S4
	VST1 [V15.S4, V16.S4, V17.S4], (R2)
	ADD  R4, R2
	// c[6][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3ede52 // FMUL V18.4S, V18.4S, V30.4S
	VFMLA V31.S4, V24.S4, V18.S4
	WORD $0x6e3ede73 // FMUL V19.4S, V19.4S, V30.4S
	VFMLA V31.S4, V25.S4, V19.S4
	WORD $0x6e3ede94 // FMUL V20.4S, V20.4S, V30.4S
	VFMLA V31.S4, V26.S4, V20.S4
	VST1 [V18.S4, V19.S4, V20.S4], (R2)
	ADD  R4, R2
	// c[7][:] = alpha*acc + beta*c
	VLD1 (R2), [V24.S4, V25.S4, V26.S4]
	WORD $0x6e3edeb5 // FMUL V21.4S, V21.4S, V30.4S
	VFMLA V31.S4, V24.S4, V21.S4
	WORD $0x6e3eded6 // FMUL V22.4S, V22.4S, V30.4S
	VFMLA V31.S4, V25.S4, V22.S4
	WORD $0x6e3edef7 // FMUL V23.4S, V23.4S, V30.4S
	VFMLA V31.S4, V26.S4, V23.S4
	VST1 [V21.S4, V22.S4, V23.S4], (R2)
	RET

beta0:
	// c[0][:] = alpha*acc
	WORD $0x6e3edc00 // FMUL V0.4S, V0.4S, V30.4S
	WORD $0x6e3edc21 // FMUL V1.4S, V1.4S, V30.4S
	WORD $0x6e3edc42 // FMUL V2.4S, V2.4S, V30.4S
	VST1 [V0.S4, V1.S4, V2.S4], (R2)
	ADD  R4, R2
	// c[1][:] = alpha*acc
	WORD $0x6e3edc63 // FMUL V3.4S, V3.4S, V30.4S
	WORD $0x6e3edc84 // FMUL V4.4S, V4.4S, V30.4S
	WORD $0x6e3edca5 // FMUL V5.4S, V5.4S, V30.4S
	VST1 [V3.S4, V4.S4, V5.S4], (R2)
	ADD  R4, R2
	// c[2][:] = alpha*acc
	WORD $0x6e3edcc6 // FMUL V6.4S, V6.4S, V30.4S
	WORD $0x6e3edce7 // FMUL V7.4S, V7.4S, V30.4S
	WORD $0x6e3edd08 // FMUL V8.4S, V8.4S, V30.4S
	VST1 [V6.S4, V7.S4, V8.S4], (R2)
	ADD  R4, R2
	// c[3][:] = alpha*acc
	WORD $0x6e3edd29 // FMUL V9.4S, V9.4S, V30.4S
	WORD $0x6e3edd4a // FMUL V10.4S, V10.4S, V30.4S
	WORD $0x6e3edd6b // FMUL V11.4S, V11.4S, V30.4S
	VST1 [V9.S4, V10.S4, V11.S4], (R2)
	ADD  R4, R2
	// c[4][:] = alpha*acc
	WORD $0x6e3edd8c // FMUL V12.4S, V12.4S, V30.4S
	WORD $0x6e3eddad // FMUL V13.4S, V13.4S, V30.4S
	WORD $0x6e3eddce // FMUL V14.4S, V14.4S, V30.4S
	VST1 [V12.S4, V13.S4, V14.S4], (R2)
	ADD  R4, R2
	// c[5][:] = alpha*acc
	WORD $0x6e3eddef // FMUL V15.4S, V15.4S, V30.4S
	WORD $0x6e3ede10 // FMUL V16.4S, V16.4S, V30.4S
	WORD $0x6e3ede31 // FMUL V17.4S, V17.4S, V30.4S
	VST1 [V15.S4, V16.S4, V17.S4], (R2)
	ADD  R4, R2
	// c[6][:] = alpha*acc
	WORD $0x6e3ede52 // FMUL V18.4S, V18.4S, V30.4S
	WORD $0x6e3ede73 // FMUL V19.4S, V19.4S, V30.4S
	WORD $0x6e3ede94 // FMUL V20.4S, V20.4S, V30.4S
	VST1 [V18.S4, V19.S4, V20.S4], (R2)
	ADD  R4, R2
	// c[7][:] = alpha*acc
	WORD $0x6e3edeb5 // FMUL V21.4S, V21.4S, V30.4S
	WORD $0x6e3eded6 // FMUL V22.4S, V22.4S, V30.4S
	WORD $0x6e3edef7 // FMUL V23.4S, V23.4S, V30.4S
	VST1 [V21.S4, V22.S4, V23.S4], (R2)
	RET
