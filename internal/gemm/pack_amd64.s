//go:build gc && !purego

#include "textflag.h"

// func packTrans4x8AVX2(dst, src *float32, ld, w, blocks int)
//
// packTrans4x8AVX2 transposes 4 source rows into columns of dst:
//
//	for q := 0; q < 8*blocks; q++ {
//		for j := 0; j < 4; j++ {
//			dst[q*w+j] = src[j*ld+q]
//		}
//	}
//
// eight q at a time with AVX (blocks >= 1).
TEXT ·packTrans4x8AVX2(SB), NOSPLIT, $0-40
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), AX
	SHLQ $2, AX              // AX = ld in bytes
	MOVQ w+24(FP), R8
	SHLQ $2, R8              // R8 = w in bytes
	MOVQ blocks+32(FP), CX
	LEAQ (R8)(R8*2), R9      // R9 = 3w
	LEAQ (R8)(R8*4), R10     // R10 = 5w
	LEAQ (R9)(R8*4), R11     // R11 = 7w
	LEAQ (SI)(AX*2), DX      // DX = row 2

loop:
	VMOVUPS (SI), Y0         // Y0 = row 0, q..q+7
	VMOVUPS (SI)(AX*1), Y1   // Y1 = row 1
	VMOVUPS (DX), Y2         // Y2 = row 2
	VMOVUPS (DX)(AX*1), Y3   // Y3 = row 3
	VUNPCKLPS Y1, Y0, Y4     // Y4 = r0q0 r1q0 r0q1 r1q1 | q4 q5
	VUNPCKHPS Y1, Y0, Y5     // Y5 = r0q2 r1q2 r0q3 r1q3 | q6 q7
	VUNPCKLPS Y3, Y2, Y6     // Y6 = r2q0 r3q0 r2q1 r3q1 | q4 q5
	VUNPCKHPS Y3, Y2, Y7     // Y7 = r2q2 r3q2 r2q3 r3q3 | q6 q7
	VSHUFPS $0x44, Y6, Y4, Y0 // Y0 = column q0 | q4
	VSHUFPS $0xEE, Y6, Y4, Y1 // Y1 = column q1 | q5
	VSHUFPS $0x44, Y7, Y5, Y2 // Y2 = column q2 | q6
	VSHUFPS $0xEE, Y7, Y5, Y3 // Y3 = column q3 | q7
	VMOVUPS X0, (DI)                 // dst[q0]
	VMOVUPS X1, (DI)(R8*1)           // dst[q1]
	VMOVUPS X2, (DI)(R8*2)           // dst[q2]
	VMOVUPS X3, (DI)(R9*1)           // dst[q3]
	VEXTRACTF128 $1, Y0, (DI)(R8*4)  // dst[q4]
	VEXTRACTF128 $1, Y1, (DI)(R10*1) // dst[q5]
	VEXTRACTF128 $1, Y2, (DI)(R9*2)  // dst[q6]
	VEXTRACTF128 $1, Y3, (DI)(R11*1) // dst[q7]
	ADDQ $32, SI
	ADDQ $32, DX
	LEAQ (DI)(R8*8), DI      // dst += 8 rows
	DECQ CX
	JNZ  loop
	VZEROUPPER
	RET

// func packCopyAVX2(dst, src *float32, ld, kb, w, chunks, ss int)
//
// packCopyAVX2 is
//
//	for q := 0; q < kb; q++ {
//		for c := 0; c < chunks; c++ {
//			copy(dst[c*ss+q*w:][:w], src[q*ld+c*w:][:w])
//		}
//	}
//
// for kb >= 1, chunks >= 1 and w a multiple of 2: each w-float piece is
// moved as 32-byte, then 16-byte, then 8-byte pieces.
TEXT ·packCopyAVX2(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ ld+16(FP), R8
	SHLQ $2, R8              // R8 = ld in bytes
	MOVQ kb+24(FP), CX
	MOVQ w+32(FP), R9
	SHLQ $2, R9              // R9 = w in bytes
	MOVQ chunks+40(FP), R10
	MOVQ ss+48(FP), R11
	SHLQ $2, R11             // R11 = ss in bytes
	MOVQ R9, BX
	SHRQ $5, BX              // BX = 32-byte moves per piece
	MOVQ R9, DX
	ANDQ $31, DX             // DX = bytes left after them: 0, 8, 16 or 24

row:
	MOVQ SI, R12             // R12 = &src[q*ld]
	MOVQ DI, R13             // R13 = &dst[q*w]
	MOVQ R10, R14            // R14 = chunks to go

piece:
	XORQ AX, AX              // AX = byte offset in the piece
	MOVQ BX, R15
	TESTQ R15, R15
	JZ   tail

y32:
	VMOVUPS (R12)(AX*1), Y0
	VMOVUPS Y0, (R13)(AX*1)
	ADDQ $32, AX
	DECQ R15
	JNZ  y32

tail:
	TESTQ $16, DX
	JZ    tail8
	VMOVUPS (R12)(AX*1), X0
	VMOVUPS X0, (R13)(AX*1)
	ADDQ $16, AX

tail8:
	TESTQ $8, DX
	JZ    next
	MOVQ (R12)(AX*1), R15
	MOVQ R15, (R13)(AX*1)

next:
	ADDQ R9, R12             // next piece of the row
	ADDQ R11, R13            // same row of the next sliver
	DECQ R14
	JNZ  piece
	ADDQ R8, SI              // next source row
	ADDQ R9, DI              // next row in each sliver
	DECQ CX
	JNZ  row
	VZEROUPPER
	RET
