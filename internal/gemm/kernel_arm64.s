//go:build gc && !purego

#include "textflag.h"

// func kernel8x8NEON(k int, a, b, c *float32, ldc int, alpha, beta float32)
//
// kernel8x8NEON computes the 8x8 tile
//
//	c[i*ldc+j] = alpha * sum_p a[p*8+i]*b[p*8+j] + beta*c[i*ldc+j]
//
// for k >= 0, reading c only when beta != 0 (or -0). The accumulator of
// row i is V(2i) (columns 0-3) and V(2i+1) (columns 4-7); V16, V17 hold a
// row of the B sliver and V18, V19 a column of the A sliver, used by
// element. Go's assembler has no FMLA by element nor vector FMUL, so those
// are WORD encodings (see the comment on each).
TEXT ·kernel8x8NEON(SB), NOSPLIT, $0-48
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
	CBZ  R3, store

loop:
	VLD1.P 32(R1), [V16.S4, V17.S4] // b[p][0:8]
	VLD1.P 32(R0), [V18.S4, V19.S4] // a[p][0:8]
	WORD $0x4f921200 // FMLA V0.4S, V16.4S, V18.S[0]
	WORD $0x4f921221 // FMLA V1.4S, V17.4S, V18.S[0]
	WORD $0x4fb21202 // FMLA V2.4S, V16.4S, V18.S[1]
	WORD $0x4fb21223 // FMLA V3.4S, V17.4S, V18.S[1]
	WORD $0x4f921a04 // FMLA V4.4S, V16.4S, V18.S[2]
	WORD $0x4f921a25 // FMLA V5.4S, V17.4S, V18.S[2]
	WORD $0x4fb21a06 // FMLA V6.4S, V16.4S, V18.S[3]
	WORD $0x4fb21a27 // FMLA V7.4S, V17.4S, V18.S[3]
	WORD $0x4f931208 // FMLA V8.4S, V16.4S, V19.S[0]
	WORD $0x4f931229 // FMLA V9.4S, V17.4S, V19.S[0]
	WORD $0x4fb3120a // FMLA V10.4S, V16.4S, V19.S[1]
	WORD $0x4fb3122b // FMLA V11.4S, V17.4S, V19.S[1]
	WORD $0x4f931a0c // FMLA V12.4S, V16.4S, V19.S[2]
	WORD $0x4f931a2d // FMLA V13.4S, V17.4S, V19.S[2]
	WORD $0x4fb31a0e // FMLA V14.4S, V16.4S, V19.S[3]
	WORD $0x4fb31a2f // FMLA V15.4S, V17.4S, V19.S[3]
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
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edc00 // FMUL V0.4S, V0.4S, V30.4S
	VFMLA V31.S4, V20.S4, V0.S4
	WORD $0x6e3edc21 // FMUL V1.4S, V1.4S, V30.4S
	VFMLA V31.S4, V21.S4, V1.S4
	VST1 [V0.S4, V1.S4], (R2)
	ADD  R4, R2
	// c[1][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edc42 // FMUL V2.4S, V2.4S, V30.4S
	VFMLA V31.S4, V20.S4, V2.S4
	WORD $0x6e3edc63 // FMUL V3.4S, V3.4S, V30.4S
	VFMLA V31.S4, V21.S4, V3.S4
	VST1 [V2.S4, V3.S4], (R2)
	ADD  R4, R2
	// c[2][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edc84 // FMUL V4.4S, V4.4S, V30.4S
	VFMLA V31.S4, V20.S4, V4.S4
	WORD $0x6e3edca5 // FMUL V5.4S, V5.4S, V30.4S
	VFMLA V31.S4, V21.S4, V5.S4
	VST1 [V4.S4, V5.S4], (R2)
	ADD  R4, R2
	// c[3][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edcc6 // FMUL V6.4S, V6.4S, V30.4S
	VFMLA V31.S4, V20.S4, V6.S4
	WORD $0x6e3edce7 // FMUL V7.4S, V7.4S, V30.4S
	VFMLA V31.S4, V21.S4, V7.S4
	VST1 [V6.S4, V7.S4], (R2)
	ADD  R4, R2
	// c[4][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edd08 // FMUL V8.4S, V8.4S, V30.4S
	VFMLA V31.S4, V20.S4, V8.S4
	WORD $0x6e3edd29 // FMUL V9.4S, V9.4S, V30.4S
	VFMLA V31.S4, V21.S4, V9.S4
	VST1 [V8.S4, V9.S4], (R2)
	ADD  R4, R2
	// c[5][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edd4a // FMUL V10.4S, V10.4S, V30.4S
	VFMLA V31.S4, V20.S4, V10.S4
	WORD $0x6e3edd6b // FMUL V11.4S, V11.4S, V30.4S
	VFMLA V31.S4, V21.S4, V11.S4
	VST1 [V10.S4, V11.S4], (R2)
	ADD  R4, R2
	// c[6][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3edd8c // FMUL V12.4S, V12.4S, V30.4S
	VFMLA V31.S4, V20.S4, V12.S4
	WORD $0x6e3eddad // FMUL V13.4S, V13.4S, V30.4S
	VFMLA V31.S4, V21.S4, V13.S4
	VST1 [V12.S4, V13.S4], (R2)
	ADD  R4, R2
	// c[7][:] = alpha*acc + beta*c
	VLD1 (R2), [V20.S4, V21.S4]
	WORD $0x6e3eddce // FMUL V14.4S, V14.4S, V30.4S
	VFMLA V31.S4, V20.S4, V14.S4
	WORD $0x6e3eddef // FMUL V15.4S, V15.4S, V30.4S
	VFMLA V31.S4, V21.S4, V15.S4
	VST1 [V14.S4, V15.S4], (R2)
	RET

beta0:
	// c[0][:] = alpha*acc
	WORD $0x6e3edc00 // FMUL V0.4S, V0.4S, V30.4S
	WORD $0x6e3edc21 // FMUL V1.4S, V1.4S, V30.4S
	VST1 [V0.S4, V1.S4], (R2)
	ADD  R4, R2
	// c[1][:] = alpha*acc
	WORD $0x6e3edc42 // FMUL V2.4S, V2.4S, V30.4S
	WORD $0x6e3edc63 // FMUL V3.4S, V3.4S, V30.4S
	VST1 [V2.S4, V3.S4], (R2)
	ADD  R4, R2
	// c[2][:] = alpha*acc
	WORD $0x6e3edc84 // FMUL V4.4S, V4.4S, V30.4S
	WORD $0x6e3edca5 // FMUL V5.4S, V5.4S, V30.4S
	VST1 [V4.S4, V5.S4], (R2)
	ADD  R4, R2
	// c[3][:] = alpha*acc
	WORD $0x6e3edcc6 // FMUL V6.4S, V6.4S, V30.4S
	WORD $0x6e3edce7 // FMUL V7.4S, V7.4S, V30.4S
	VST1 [V6.S4, V7.S4], (R2)
	ADD  R4, R2
	// c[4][:] = alpha*acc
	WORD $0x6e3edd08 // FMUL V8.4S, V8.4S, V30.4S
	WORD $0x6e3edd29 // FMUL V9.4S, V9.4S, V30.4S
	VST1 [V8.S4, V9.S4], (R2)
	ADD  R4, R2
	// c[5][:] = alpha*acc
	WORD $0x6e3edd4a // FMUL V10.4S, V10.4S, V30.4S
	WORD $0x6e3edd6b // FMUL V11.4S, V11.4S, V30.4S
	VST1 [V10.S4, V11.S4], (R2)
	ADD  R4, R2
	// c[6][:] = alpha*acc
	WORD $0x6e3edd8c // FMUL V12.4S, V12.4S, V30.4S
	WORD $0x6e3eddad // FMUL V13.4S, V13.4S, V30.4S
	VST1 [V12.S4, V13.S4], (R2)
	ADD  R4, R2
	// c[7][:] = alpha*acc
	WORD $0x6e3eddce // FMUL V14.4S, V14.4S, V30.4S
	WORD $0x6e3eddef // FMUL V15.4S, V15.4S, V30.4S
	VST1 [V14.S4, V15.S4], (R2)
	RET
