//go:build gc && !purego

#include "textflag.h"

// Butterflies. BF(a, b, s, d): s = a + b, d = a - b (any vector width).
#define BF(a, b, s, d) VADDPS b, a, s; VSUBPS b, a, d

// RADIX8 does the three levels of a radix-8 step on rows a0..a7 (row i holds
// element i*h of each transform), using b0..b7 as the other half of a ping-
// pong; the result is in b0..b7.
#define RADIX8(a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	BF(a0, a1, b0, b1); BF(a2, a3, b2, b3); BF(a4, a5, b4, b5); BF(a6, a7, b6, b7) \
	BF(b0, b2, a0, a2); BF(b1, b3, a1, a3); BF(b4, b6, a4, a6); BF(b5, b7, a5, a7) \
	BF(a0, a4, b0, b4); BF(a1, a5, b1, b5); BF(a2, a6, b2, b6); BF(a3, a7, b3, b7)

// RADIX4: two levels on a0..a3; result in a0..a3.
#define RADIX4(a0, a1, a2, a3, b0, b1, b2, b3) \
	BF(a0, a1, b0, b1); BF(a2, a3, b2, b3) \
	BF(b0, b2, a0, a2); BF(b1, b3, a1, a3)

// One level inside a vector, at lane distance s: with y the vector whose
// lanes i and i+s are swapped, y + x*sign is x[i]+x[i+s] in the lower lane
// and x[i]-x[i+s] in the upper one (sign = +1 lower, -1 upper). x*(+-1) is
// exact, so this rounds exactly like the add and the subtract.
#define IVP(imm, sg, a, b) VPERMILPS $imm, a, b; VFMADD231PS sg, a, b
#define IVS(imm, sg, a, b) VSHUFF32X4 $imm, a, a, b; VFMADD231PS sg, a, b
#define IVY(sg, a, b) VPERM2F128 $0x01, a, a, b; VFMADD231PS sg, a, b

#define IVP8(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVP(imm, sg, a0, b0); IVP(imm, sg, a1, b1); IVP(imm, sg, a2, b2); IVP(imm, sg, a3, b3) \
	IVP(imm, sg, a4, b4); IVP(imm, sg, a5, b5); IVP(imm, sg, a6, b6); IVP(imm, sg, a7, b7)
#define IVS8(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVS(imm, sg, a0, b0); IVS(imm, sg, a1, b1); IVS(imm, sg, a2, b2); IVS(imm, sg, a3, b3) \
	IVS(imm, sg, a4, b4); IVS(imm, sg, a5, b5); IVS(imm, sg, a6, b6); IVS(imm, sg, a7, b7)
#define IVY8(sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVY(sg, a0, b0); IVY(sg, a1, b1); IVY(sg, a2, b2); IVY(sg, a3, b3) \
	IVY(sg, a4, b4); IVY(sg, a5, b5); IVY(sg, a6, b6); IVY(sg, a7, b7)

// Row addressing shared by the radix kernels: AX = row 0, CX = row 4,
// BX = h in bytes, DX = 3h in bytes.
#define ROWS(r0, r1, r2, r3, r4, r5, r6, r7, op) \
	op (AX), r0; op (AX)(BX*1), r1; op (AX)(BX*2), r2; op (AX)(DX*1), r3 \
	op (CX), r4; op (CX)(BX*1), r5; op (CX)(BX*2), r6; op (CX)(DX*1), r7
#define STROWS(r0, r1, r2, r3, r4, r5, r6, r7, op) \
	op r0, (AX); op r1, (AX)(BX*1); op r2, (AX)(BX*2); op r3, (AX)(DX*1) \
	op r4, (CX); op r5, (CX)(BX*1); op r6, (CX)(BX*2); op r7, (CX)(DX*1)

#define RADIX_PROLOGUE(shift) \
	MOVQ x+0(FP), AX \
	MOVQ h+8(FP), BX \
	MOVQ cols+16(FP), SI \
	SHLQ $2, BX \
	LEAQ (BX)(BX*2), DX \
	LEAQ (AX)(BX*4), CX \
	SHRQ $shift, SI

// R16_PROLOGUE is RADIX_PROLOGUE(4) for 16 rows: AX rows 0-7 and CX rows
// 8-15 (h bytes apart in BX, 3h in DX, 5h in R8, 7h in R9), SI the count of
// 16-float columns (the SHRQ's flags survive the LEAQs, for a JZ).
#define R16_PROLOGUE \
	RADIX_PROLOGUE(4) \
	LEAQ (BX)(BX*4), R8 \
	LEAQ (DX)(BX*4), R9 \
	LEAQ (AX)(BX*8), CX

// FMA-balanced butterfly: s = a + b on an adder and a = a - b*1 on an FMA
// unit (b*1 is exact, so this is a - b rounded once, bit for bit VSUBPS),
// so that the two halves of each butterfly go to different ports.
#define BFM(a, b, s, one) VADDPS b, a, s; VFNMADD231PS one, b, a

// BFS is BFM with the difference on an adder (VSUBPS; the same bits, the
// same registers).
#define BFS(a, b, s) VADDPS b, a, s; VSUBPS b, a, a

// Port balance. On Zen 5, VADDPS/VSUBPS run on two pipes and VFMADD on two
// others, which every 512-bit store also occupies (about two issue slots
// each), as do lane-crossing shuffles (VSHUFF32X4). A radix pass that
// stores every vector it loads therefore balances best with about a
// quarter of its differences on the FMA pipes and the rest on the adders
// (radix-8 in L1: 12.5% faster than all-FMA, 18% in L2; radix-16: 10%).

// RADIX8F does the three levels of a radix-8 step on rows a0..a7 with four
// temporaries t0..t3 (ones in one): the first two levels' differences on
// the adders (BFS), the last level's on the FMA pipes (BFM). Rows 0..7 of
// the result are in t1, a2, t3, a6, a1, a3, t0, a0.
#define RADIX8F(a0, a1, a2, a3, a4, a5, a6, a7, t0, t1, t2, t3, one) \
	BFS(a0, a1, t0); BFS(a2, a3, t1); BFS(a4, a5, t2); BFS(a6, a7, t3) \
	BFS(t0, t1, a1); BFS(a0, a2, a3); BFS(t2, t3, a5); BFS(a4, a6, a7) \
	BFM(a1, a5, t1, one); BFM(a3, a7, a2, one); BFM(t0, t2, t3, one); BFM(a0, a4, a6, one)

// R16ZF is R16Z with RADIX8F and BFM (16 of its 32 differences on the FMA
// pipes): input rows in Z0..Z15, ones in Z31; rows 0..15 of the result are
// in Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z21, Z17, Z2, Z19, Z6, Z1, Z3, Z16,
// Z0 (Z16..Z30 clobbered).
#define R16ZF \
	RADIX8F(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z16, Z17, Z18, Z19, Z31) \
	RADIX8F(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z20, Z21, Z22, Z23, Z31) \
	BFM(Z17, Z21, Z24, Z31); BFM(Z2, Z10, Z25, Z31); BFM(Z19, Z23, Z26, Z31); BFM(Z6, Z14, Z27, Z31) \
	BFM(Z1, Z9, Z28, Z31); BFM(Z3, Z11, Z29, Z31); BFM(Z16, Z20, Z30, Z31); BFM(Z0, Z8, Z21, Z31)

// ONES sets every lane of Z31 to 1.0 (via reg).
#define ONES(reg) MOVL $0x3f800000, reg; VPBROADCASTD reg, Z31

// func base512(x *float32, n int, signs *float32)
// Levels 1, 2, 4, ..., 64 on every chunk of 128 floats; n is a multiple of 128.
TEXT ·base512(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ n+8(FP), SI
	MOVQ signs+16(FP), DX
	VMOVUPS 0(DX), Z16   // +-+-...
	VMOVUPS 64(DX), Z17  // ++--...
	VMOVUPS 128(DX), Z18 // 4x+ 4x- ...
	VMOVUPS 192(DX), Z19 // 8x+ 8x-
	SHRQ $7, SI
	JZ   b512done

b512loop:
	VMOVUPS 0(AX), Z0
	VMOVUPS 64(AX), Z1
	VMOVUPS 128(AX), Z2
	VMOVUPS 192(AX), Z3
	VMOVUPS 256(AX), Z4
	VMOVUPS 320(AX), Z5
	VMOVUPS 384(AX), Z6
	VMOVUPS 448(AX), Z7
	IVP8(0xB1, Z16, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	IVP8(0x4E, Z17, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	IVS8(0xB1, Z18, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	IVS8(0x4E, Z19, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	RADIX8(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15)
	VMOVUPS Z8, 0(AX)
	VMOVUPS Z9, 64(AX)
	VMOVUPS Z10, 128(AX)
	VMOVUPS Z11, 192(AX)
	VMOVUPS Z12, 256(AX)
	VMOVUPS Z13, 320(AX)
	VMOVUPS Z14, 384(AX)
	VMOVUPS Z15, 448(AX)
	ADDQ $512, AX
	DECQ SI
	JNZ  b512loop

b512done:
	VZEROUPPER
	RET

// func r8AVX512(x *float32, h, cols int)
TEXT ·r8AVX512(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(4)
	JZ r8z_done
	ONES(R8)

r8z_loop:
	ROWS(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, VMOVUPS)
	RADIX8F(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z31)
	STROWS(Z9, Z2, Z11, Z6, Z1, Z3, Z8, Z0, VMOVUPS)
	ADDQ $64, AX
	ADDQ $64, CX
	DECQ SI
	JNZ  r8z_loop

r8z_done:
	VZEROUPPER
	RET

// func r4AVX512(x *float32, h, cols int)
TEXT ·r4AVX512(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(4)
	JZ r4z_done

r4z_loop:
	VMOVUPS (AX), Z0
	VMOVUPS (AX)(BX*1), Z1
	VMOVUPS (AX)(BX*2), Z2
	VMOVUPS (AX)(DX*1), Z3
	RADIX4(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	VMOVUPS Z0, (AX)
	VMOVUPS Z1, (AX)(BX*1)
	VMOVUPS Z2, (AX)(BX*2)
	VMOVUPS Z3, (AX)(DX*1)
	ADDQ $64, AX
	DECQ SI
	JNZ  r4z_loop

r4z_done:
	VZEROUPPER
	RET

// func r2AVX512(x *float32, h, cols int)
TEXT ·r2AVX512(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(4)
	JZ r2z_done

r2z_loop:
	VMOVUPS (AX), Z0
	VMOVUPS (AX)(BX*1), Z1
	BF(Z0, Z1, Z2, Z3)
	VMOVUPS Z2, (AX)
	VMOVUPS Z3, (AX)(BX*1)
	ADDQ $64, AX
	DECQ SI
	JNZ  r2z_loop

r2z_done:
	VZEROUPPER
	RET

// func base256(x *float32, n int, signs *float32)
// Levels 1, 2, ..., 32 on every chunk of 64 floats; n is a multiple of 64.
TEXT ·base256(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ n+8(FP), SI
	MOVQ signs+16(FP), DX
	SHRQ $6, SI
	JZ   b256done

b256loop:
	VMOVUPS 0(AX), Y0
	VMOVUPS 32(AX), Y1
	VMOVUPS 64(AX), Y2
	VMOVUPS 96(AX), Y3
	VMOVUPS 128(AX), Y4
	VMOVUPS 160(AX), Y5
	VMOVUPS 192(AX), Y6
	VMOVUPS 224(AX), Y7
	IVP8(0xB1, 0(DX), Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	IVP8(0x4E, 64(DX), Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	IVY8(128(DX), Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	RADIX8(Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	VMOVUPS Y0, 0(AX)
	VMOVUPS Y1, 32(AX)
	VMOVUPS Y2, 64(AX)
	VMOVUPS Y3, 96(AX)
	VMOVUPS Y4, 128(AX)
	VMOVUPS Y5, 160(AX)
	VMOVUPS Y6, 192(AX)
	VMOVUPS Y7, 224(AX)
	ADDQ $256, AX
	DECQ SI
	JNZ  b256loop

b256done:
	VZEROUPPER
	RET

// func r8AVX2(x *float32, h, cols int)
TEXT ·r8AVX2(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(3)
	JZ r8y_done

r8y_loop:
	ROWS(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, VMOVUPS)
	RADIX8(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7, Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15)
	STROWS(Y8, Y9, Y10, Y11, Y12, Y13, Y14, Y15, VMOVUPS)
	ADDQ $32, AX
	ADDQ $32, CX
	DECQ SI
	JNZ  r8y_loop

r8y_done:
	VZEROUPPER
	RET

// func r4AVX2(x *float32, h, cols int)
TEXT ·r4AVX2(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(3)
	JZ r4y_done

r4y_loop:
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(BX*1), Y1
	VMOVUPS (AX)(BX*2), Y2
	VMOVUPS (AX)(DX*1), Y3
	RADIX4(Y0, Y1, Y2, Y3, Y4, Y5, Y6, Y7)
	VMOVUPS Y0, (AX)
	VMOVUPS Y1, (AX)(BX*1)
	VMOVUPS Y2, (AX)(BX*2)
	VMOVUPS Y3, (AX)(DX*1)
	ADDQ $32, AX
	DECQ SI
	JNZ  r4y_loop

r4y_done:
	VZEROUPPER
	RET

// func r2AVX2(x *float32, h, cols int)
TEXT ·r2AVX2(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(3)
	JZ r2y_done

r2y_loop:
	VMOVUPS (AX), Y0
	VMOVUPS (AX)(BX*1), Y1
	BF(Y0, Y1, Y2, Y3)
	VMOVUPS Y2, (AX)
	VMOVUPS Y3, (AX)(BX*1)
	ADDQ $32, AX
	DECQ SI
	JNZ  r2y_loop

r2y_done:
	VZEROUPPER
	RET

// Four levels on 16 rows: RADIX8 on each half, then level 8 across the halves.
// Input in Z0..Z15 (row i in Zi); output in Z0..Z15; Z16..Z31 clobbered.
#define R16Z \
	RADIX8(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23) \
	RADIX8(Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z31) \
	BF(Z16, Z24, Z0, Z8); BF(Z17, Z25, Z1, Z9); BF(Z18, Z26, Z2, Z10); BF(Z19, Z27, Z3, Z11) \
	BF(Z20, Z28, Z4, Z12); BF(Z21, Z29, Z5, Z13); BF(Z22, Z30, Z6, Z14); BF(Z23, Z31, Z7, Z15)

// In-vector level on 16 registers, sign from memory.
#define IVP16(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15) \
	IVP8(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVP8(imm, sg, a8, a9, a10, a11, a12, a13, a14, a15, b8, b9, b10, b11, b12, b13, b14, b15)
#define IVS16(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15) \
	IVS8(imm, sg, a0, a1, a2, a3, a4, a5, a6, a7, b0, b1, b2, b3, b4, b5, b6, b7) \
	IVS8(imm, sg, a8, a9, a10, a11, a12, a13, a14, a15, b8, b9, b10, b11, b12, b13, b14, b15)

// BASE1024 is the body of base1024 and base1024Far: levels 1, 2, ..., 128
// on every chunk of 256 floats (16 registers), with AX = x, SI = n,
// DX = signs (whose first lane is +1); pf runs at the top of each iteration
// (a prefetch, or NOP). The four in-vector levels run on Z0..Z7, then on
// Z8..Z15 (temporaries Z16..Z23, signs in Z24..Z27, reloaded every
// iteration because R16ZF clobbers them): two independent halves give the
// out-of-order core shorter chains than one 16-register sweep per level.
#define BASE1024(pf) \
	SHRQ $8, SI \
	JZ   done \
	VBROADCASTSS 0(DX), Z31 \
loop: \
	pf \
	VMOVUPS 0(DX), Z24; VMOVUPS 64(DX), Z25; VMOVUPS 128(DX), Z26; VMOVUPS 192(DX), Z27 \
	VMOVUPS 0(AX), Z0; VMOVUPS 64(AX), Z1; VMOVUPS 128(AX), Z2; VMOVUPS 192(AX), Z3 \
	VMOVUPS 256(AX), Z4; VMOVUPS 320(AX), Z5; VMOVUPS 384(AX), Z6; VMOVUPS 448(AX), Z7 \
	VMOVUPS 512(AX), Z8; VMOVUPS 576(AX), Z9; VMOVUPS 640(AX), Z10; VMOVUPS 704(AX), Z11 \
	VMOVUPS 768(AX), Z12; VMOVUPS 832(AX), Z13; VMOVUPS 896(AX), Z14; VMOVUPS 960(AX), Z15 \
	IVP8(0xB1, Z24, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23) \
	IVP8(0x4E, Z25, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	IVS8(0xB1, Z26, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23) \
	IVS8(0x4E, Z27, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7) \
	IVP8(0xB1, Z24, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23) \
	IVP8(0x4E, Z25, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15) \
	IVS8(0xB1, Z26, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23) \
	IVS8(0x4E, Z27, Z16, Z17, Z18, Z19, Z20, Z21, Z22, Z23, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15) \
	R16ZF \
	VMOVUPS Z24, 0(AX); VMOVUPS Z25, 64(AX); VMOVUPS Z26, 128(AX); VMOVUPS Z27, 192(AX) \
	VMOVUPS Z28, 256(AX); VMOVUPS Z29, 320(AX); VMOVUPS Z30, 384(AX); VMOVUPS Z21, 448(AX) \
	VMOVUPS Z17, 512(AX); VMOVUPS Z2, 576(AX); VMOVUPS Z19, 640(AX); VMOVUPS Z6, 704(AX) \
	VMOVUPS Z1, 768(AX); VMOVUPS Z3, 832(AX); VMOVUPS Z16, 896(AX); VMOVUPS Z0, 960(AX) \
	ADDQ $1024, AX \
	DECQ SI \
	JNZ  loop \
done: \
	VZEROUPPER \
	RET

// PF1K(d): prefetch the 1 KiB at d(AX) (16 lines).
#define PF1K(d) \
	PREFETCHT0 d+0(AX); PREFETCHT0 d+64(AX); PREFETCHT0 d+128(AX); PREFETCHT0 d+192(AX) \
	PREFETCHT0 d+256(AX); PREFETCHT0 d+320(AX); PREFETCHT0 d+384(AX); PREFETCHT0 d+448(AX) \
	PREFETCHT0 d+512(AX); PREFETCHT0 d+576(AX); PREFETCHT0 d+640(AX); PREFETCHT0 d+704(AX) \
	PREFETCHT0 d+768(AX); PREFETCHT0 d+832(AX); PREFETCHT0 d+896(AX); PREFETCHT0 d+960(AX)

// func base1024(x *float32, n int, signs *float32)
// Levels 1, 2, ..., 128 on every chunk of 256 floats; n is a multiple of 256.
TEXT ·base1024(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ n+8(FP), SI
	MOVQ signs+16(FP), DX
	BASE1024(NOP)

// func base1024Far(x *float32, n int, signs *float32)
// base1024 for data that comes from DRAM: it prefetches 8 KiB ahead, so
// that the loads of the next iterations overlap this one's arithmetic.
TEXT ·base1024Far(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), AX
	MOVQ n+8(FP), SI
	MOVQ signs+16(FP), DX
	BASE1024(PF1K(8192))

// Rows 0..15 at AX + i*h: BX = h, DX = 3h, R8 = 5h, R9 = 7h (bytes),
// CX = AX + 8h.
#define ROWS16(op, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15) \
	op (AX), r0; op (AX)(BX*1), r1; op (AX)(BX*2), r2; op (AX)(DX*1), r3 \
	op (AX)(BX*4), r4; op (AX)(R8*1), r5; op (AX)(DX*2), r6; op (AX)(R9*1), r7 \
	op (CX), r8; op (CX)(BX*1), r9; op (CX)(BX*2), r10; op (CX)(DX*1), r11 \
	op (CX)(BX*4), r12; op (CX)(R8*1), r13; op (CX)(DX*2), r14; op (CX)(R9*1), r15
#define STROWS16(op, r0, r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15) \
	op r0, (AX); op r1, (AX)(BX*1); op r2, (AX)(BX*2); op r3, (AX)(DX*1) \
	op r4, (AX)(BX*4); op r5, (AX)(R8*1); op r6, (AX)(DX*2); op r7, (AX)(R9*1) \
	op r8, (CX); op r9, (CX)(BX*1); op r10, (CX)(BX*2); op r11, (CX)(DX*1) \
	op r12, (CX)(BX*4); op r13, (CX)(R8*1); op r14, (CX)(DX*2); op r15, (CX)(R9*1)

// func r16AVX512(x *float32, h, cols int)
// R16_COLUMN transforms one 16-float column of the 16 rows and steps to
// the next; ONES(R10) must have set Z31.
#define R16_COLUMN \
	ROWS16(VMOVUPS, Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z12, Z13, Z14, Z15) \
	R16ZF \
	STROWS16(VMOVUPS, Z24, Z25, Z26, Z27, Z28, Z29, Z30, Z21, Z17, Z2, Z19, Z6, Z1, Z3, Z16, Z0) \
	ADDQ $64, AX \
	ADDQ $64, CX

TEXT ·r16AVX512(SB), NOSPLIT, $0-24
	R16_PROLOGUE
	JZ   r16z_done
	ONES(R10)

r16z_loop:
	R16_COLUMN
	DECQ SI
	JNZ  r16z_loop

r16z_done:
	VZEROUPPER
	RET

// func scaleAVX2(x *float32, n int, s float32)
// for i := range x[:n] { x[i] *= s }; n is a multiple of 32.
TEXT ·scaleAVX2(SB), NOSPLIT, $0-20
	MOVQ         x+0(FP), AX
	MOVQ         n+8(FP), CX
	VBROADCASTSS s+16(FP), Y0
	SHRQ         $5, CX
	JZ           sc_done

sc_loop:
	VMULPS  (AX), Y0, Y1
	VMULPS  32(AX), Y0, Y2
	VMULPS  64(AX), Y0, Y3
	VMULPS  96(AX), Y0, Y4
	VMOVUPS Y1, (AX)
	VMOVUPS Y2, 32(AX)
	VMOVUPS Y3, 64(AX)
	VMOVUPS Y4, 96(AX)
	ADDQ    $128, AX
	DECQ    CX
	JNZ     sc_loop

sc_done:
	VZEROUPPER
	RET

// PF8(d): prefetch d bytes ahead on the eight rows of a radix-8 pass.
#define PF8(d) \
	PREFETCHT0 d(AX); PREFETCHT0 d(AX)(BX*1); PREFETCHT0 d(AX)(BX*2); PREFETCHT0 d(AX)(DX*1) \
	PREFETCHT0 d(CX); PREFETCHT0 d(CX)(BX*1); PREFETCHT0 d(CX)(BX*2); PREFETCHT0 d(CX)(DX*1)

// func r8AVX512Far(x *float32, h, cols int)
// r8AVX512 for rows beyond the L2 cache: each row is prefetched 2 KiB ahead
// (eight streams at a power-of-two stride, which the hardware prefetcher
// alone keeps too short).
TEXT ·r8AVX512Far(SB), NOSPLIT, $0-24
	RADIX_PROLOGUE(4)
	JZ r8zf_done
	ONES(R8)

r8zf_loop:
	PF8(2048)
	ROWS(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, VMOVUPS)
	RADIX8F(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7, Z8, Z9, Z10, Z11, Z31)
	STROWS(Z9, Z2, Z11, Z6, Z1, Z3, Z8, Z0, VMOVUPS)
	ADDQ $64, AX
	ADDQ $64, CX
	DECQ SI
	JNZ  r8zf_loop

r8zf_done:
	VZEROUPPER
	RET

// PF1KR(r): prefetch the 1 KiB at (r) (16 lines).
#define PF1KR(r) \
	PREFETCHT0 0(r); PREFETCHT0 64(r); PREFETCHT0 128(r); PREFETCHT0 192(r) \
	PREFETCHT0 256(r); PREFETCHT0 320(r); PREFETCHT0 384(r); PREFETCHT0 448(r) \
	PREFETCHT0 512(r); PREFETCHT0 576(r); PREFETCHT0 640(r); PREFETCHT0 704(r) \
	PREFETCHT0 768(r); PREFETCHT0 832(r); PREFETCHT0 896(r); PREFETCHT0 960(r)

// func r16AVX512Far(x *float32, h, cols int)
// r16AVX512 for the last pass of a leaf of a transform that streams from
// DRAM: it also prefetches, 1 KiB per iteration, the memory after its 16
// rows (with cols = h, exactly the next 16h elements: the next leaf), so
// that DRAM keeps working while this leaf is finished in L1. Prefetches
// past the end of x are harmless (PREFETCHT0 never faults).
TEXT ·r16AVX512Far(SB), NOSPLIT, $0-24
	R16_PROLOGUE
	LEAQ (CX)(BX*8), R11
	JZ   r16zf_done
	ONES(R10)

r16zf_loop:
	PF1KR(R11)
	R16_COLUMN
	ADDQ $1024, R11
	DECQ SI
	JNZ  r16zf_loop

r16zf_done:
	VZEROUPPER
	RET
