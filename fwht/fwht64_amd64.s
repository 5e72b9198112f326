//go:build gc && !purego

#include "textflag.h"

// float64 kernels: the float32 ones (fwht_amd64.s) with 8 (zmm) or 4 (ymm)
// lanes. BFD(a, b, s, d): s = a + b, d = a - b.
#define BFD(a, b, s, d) VADDPD b, a, s; VSUBPD b, a, d

#define RADIX8D(a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	BFD(a0, a1, b0, b1); BFD(a2, a3, b2, b3); BFD(a4, a5, b4, b5); BFD(a6, a7, b6, b7) \
	BFD(b0, b2, a0, a2); BFD(b1, b3, a1, a3); BFD(b4, b6, a4, a6); BFD(b5, b7, a5, a7) \
	BFD(a0, a4, b0, b4); BFD(a1, a5, b1, b5); BFD(a2, a6, b2, b6); BFD(a3, a7, b3, b7)

#define RADIX4D(a0, a1, a2, a3, b0, b1, b2, b3) \
	BFD(a0, a1, b0, b1); BFD(a2, a3, b2, b3) \
	BFD(b0, b2, a0, a2); BFD(b1, b3, a1, a3)

// In-vector levels (see fwht_amd64.s): b = swap(a) + a*sign.
#define IVPD(imm, sg, a, b) VPERMILPD $imm, a, b; VFMADD231PD sg, a, b
#define IVSD(imm, sg, a, b) VSHUFF64X2 $imm, a, a, b; VFMADD231PD sg, a, b
#define IVYD(sg, a, b) VPERM2F128 $0x01, a, a, b; VFMADD231PD sg, a, b

#define IVPD8(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVPD(imm, sg, a0, b0); IVPD(imm, sg, a1, b1); IVPD(imm, sg, a2, b2); IVPD(imm, sg, a3, b3) \
	IVPD(imm, sg, a4, b4); IVPD(imm, sg, a5, b5); IVPD(imm, sg, a6, b6); IVPD(imm, sg, a7, b7)
#define IVSD8(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVSD(imm, sg, a0, b0); IVSD(imm, sg, a1, b1); IVSD(imm, sg, a2, b2); IVSD(imm, sg, a3, b3) \
	IVSD(imm, sg, a4, b4); IVSD(imm, sg, a5, b5); IVSD(imm, sg, a6, b6); IVSD(imm, sg, a7, b7)
#define IVYD8(sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVYD(sg, a0, b0); IVYD(sg, a1, b1); IVYD(sg, a2, b2); IVYD(sg, a3, b3) \
	IVYD(sg, a4, b4); IVYD(sg, a5, b5); IVYD(sg, a6, b6); IVYD(sg, a7, b7)

// Row addressing as in fwht_amd64.s, with 8-byte elements.
#define ROWSD(r0, r1, r2, r3, r4, r5, r6, r7, op) \
	op (AX), r0; op (AX)(BX*1), r1; op (AX)(BX*2), r2; op (AX)(DX*1), r3 \
	op (CX), r4; op (CX)(BX*1), r5; op (CX)(BX*2), r6; op (CX)(DX*1), r7
#define STROWSD(r0, r1, r2, r3, r4, r5, r6, r7, op) \
	op r0, (AX); op r1, (AX)(BX*1); op r2, (AX)(BX*2); op r3, (AX)(DX*1) \
	op r4, (CX); op r5, (CX)(BX*1); op r6, (CX)(BX*2); op r7, (CX)(DX*1)

#define RADIX_PROLOGUE_D(shift) \
	MOVQ x+0(FP), AX \
	MOVQ h+8(FP), BX \
	MOVQ cols+16(FP), SI \
	SHLQ $3, BX \
	LEAQ (BX)(BX*2), DX \
	LEAQ (AX)(BX*4), CX \
	SHRQ $shift, SI

// func base128dAVX512(x *float64, n int, signs *float64)
// Levels 1, 2, 4, 8, 16, 32, 64 on every chunk of 128 float64 (16 zmm:
// 3 levels inside the vectors, 4 across); n is a multiple of 128.
TEXT ·base128dAVX512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ n+8(FP), SI
	MOVQ signs+16(FP), DX
	SHRQ $7, SI
	JZ   bd5done

bd5loop:
	VMOVUPD 0(AX), Z0
	VMOVUPD 64(AX), Z1
	VMOVUPD 128(AX), Z2
	VMOVUPD 192(AX), Z3
	VMOVUPD 256(AX), Z4
	VMOVUPD 320(AX), Z5
	VMOVUPD 384(AX), Z6
	VMOVUPD 448(AX), Z7
	VMOVUPD 512(AX), Z8
	VMOVUPD 576(AX), Z9
	VMOVUPD 640(AX), Z10
	VMOVUPD 704(AX), Z11
	VMOVUPD 768(AX), Z12
	VMOVUPD 832(AX), Z13
	VMOVUPD 896(AX), Z14
	VMOVUPD 960(AX), Z15
	IVPD8(0x55, 0(DX), Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	IVPD8(0x55, 0(DX), Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31)
	IVSD8(0xB1, 64(DX), Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	IVSD8(0xB1, 64(DX), Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	IVSD8(0x4E, 128(DX), Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23)
	IVSD8(0x4E, 128(DX), Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31)
	// Cross levels on rows Z16..Z31; result back in Z16..Z31.
	RADIX8D(Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	RADIX8D(Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	BFD(Z0, Z8, Z16, Z24); BFD(Z1, Z9, Z17, Z25); BFD(Z2, Z10, Z18, Z26); BFD(Z3, Z11, Z19, Z27)
	BFD(Z4, Z12, Z20, Z28); BFD(Z5, Z13, Z21, Z29); BFD(Z6, Z14, Z22, Z30); BFD(Z7, Z15, Z23, Z31)
	VMOVUPD Z16, 0(AX)
	VMOVUPD Z17, 64(AX)
	VMOVUPD Z18, 128(AX)
	VMOVUPD Z19, 192(AX)
	VMOVUPD Z20, 256(AX)
	VMOVUPD Z21, 320(AX)
	VMOVUPD Z22, 384(AX)
	VMOVUPD Z23, 448(AX)
	VMOVUPD Z24, 512(AX)
	VMOVUPD Z25, 576(AX)
	VMOVUPD Z26, 640(AX)
	VMOVUPD Z27, 704(AX)
	VMOVUPD Z28, 768(AX)
	VMOVUPD Z29, 832(AX)
	VMOVUPD Z30, 896(AX)
	VMOVUPD Z31, 960(AX)
	ADDQ $1024, AX
	DECQ SI
	JNZ  bd5loop

bd5done:
	VZEROUPPER
	RET

// func r8dAVX512(x *float64, h, cols int)
TEXT ·r8dAVX512(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE_D(3)
	JZ r8dz_done

r8dz_loop:
	ROWSD(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, VMOVUPD)
	RADIX8D(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	STROWSD(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, VMOVUPD)
	ADDQ $64, AX
	ADDQ $64, CX
	DECQ SI
	JNZ  r8dz_loop

r8dz_done:
	VZEROUPPER
	RET

// func r4dAVX512(x *float64, h, cols int)
TEXT ·r4dAVX512(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE_D(3)
	JZ r4dz_done

r4dz_loop:
	VMOVUPD (AX), Z0
	VMOVUPD (AX)(BX*1), Z1
	VMOVUPD (AX)(BX*2), Z2
	VMOVUPD (AX)(DX*1), Z3
	RADIX4D(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVUPD Z0, (AX)
	VMOVUPD Z1, (AX)(BX*1)
	VMOVUPD Z2, (AX)(BX*2)
	VMOVUPD Z3, (AX)(DX*1)
	ADDQ $64, AX
	DECQ SI
	JNZ  r4dz_loop

r4dz_done:
	VZEROUPPER
	RET

// func r2dAVX512(x *float64, h, cols int)
TEXT ·r2dAVX512(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE_D(3)
	JZ r2dz_done

r2dz_loop:
	VMOVUPD (AX), Z0
	VMOVUPD (AX)(BX*1), Z1
	BFD(Z0, Z1, Z2, Z3)
	VMOVUPD Z2, (AX)
	VMOVUPD Z3, (AX)(BX*1)
	ADDQ $64, AX
	DECQ SI
	JNZ  r2dz_loop

r2dz_done:
	VZEROUPPER
	RET

// func base32dAVX2(x *float64, n int, signs *float64)
// Levels 1, 2, 4, 8, 16 on every chunk of 32 float64 (8 ymm); n is a
// multiple of 32.
TEXT ·base32dAVX2(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ n+8(FP), SI
	MOVQ signs+16(FP), DX
	SHRQ $5, SI
	JZ   bd2done

bd2loop:
	VMOVUPD 0(AX), Y0
	VMOVUPD 32(AX), Y1
	VMOVUPD 64(AX), Y2
	VMOVUPD 96(AX), Y3
	VMOVUPD 128(AX), Y4
	VMOVUPD 160(AX), Y5
	VMOVUPD 192(AX), Y6
	VMOVUPD 224(AX), Y7
	IVPD8(0x05, 0(DX), Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	IVYD8(64(DX), Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	RADIX8D(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	VMOVUPD Y8, 0(AX)
	VMOVUPD Y9, 32(AX)
	VMOVUPD Y10, 64(AX)
	VMOVUPD Y11, 96(AX)
	VMOVUPD Y12, 128(AX)
	VMOVUPD Y13, 160(AX)
	VMOVUPD Y14, 192(AX)
	VMOVUPD Y15, 224(AX)
	ADDQ $256, AX
	DECQ SI
	JNZ  bd2loop

bd2done:
	VZEROUPPER
	RET

// func r8dAVX2(x *float64, h, cols int)
TEXT ·r8dAVX2(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE_D(2)
	JZ r8dy_done

r8dy_loop:
	ROWSD(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, VMOVUPD)
	RADIX8D(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	STROWSD(Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, VMOVUPD)
	ADDQ $32, AX
	ADDQ $32, CX
	DECQ SI
	JNZ  r8dy_loop

r8dy_done:
	VZEROUPPER
	RET

// func r4dAVX2(x *float64, h, cols int)
TEXT ·r4dAVX2(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE_D(2)
	JZ r4dy_done

r4dy_loop:
	VMOVUPD (AX), Y0
	VMOVUPD (AX)(BX*1), Y1
	VMOVUPD (AX)(BX*2), Y2
	VMOVUPD (AX)(DX*1), Y3
	RADIX4D(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	VMOVUPD Y0, (AX)
	VMOVUPD Y1, (AX)(BX*1)
	VMOVUPD Y2, (AX)(BX*2)
	VMOVUPD Y3, (AX)(DX*1)
	ADDQ $32, AX
	DECQ SI
	JNZ  r4dy_loop

r4dy_done:
	VZEROUPPER
	RET

// func r2dAVX2(x *float64, h, cols int)
TEXT ·r2dAVX2(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE_D(2)
	JZ r2dy_done

r2dy_loop:
	VMOVUPD (AX), Y0
	VMOVUPD (AX)(BX*1), Y1
	BFD(Y0, Y1, Y2, Y3)
	VMOVUPD Y2, (AX)
	VMOVUPD Y3, (AX)(BX*1)
	ADDQ $32, AX
	DECQ SI
	JNZ  r2dy_loop

r2dy_done:
	VZEROUPPER
	RET
