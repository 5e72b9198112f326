//go:build gc && !purego

#include "textflag.h"

// Lane numbers 0..7 and the two splitmix64 multipliers.
DATA dropc<>+0(SB)/8, $0
DATA dropc<>+8(SB)/8, $1
DATA dropc<>+16(SB)/8, $2
DATA dropc<>+24(SB)/8, $3
DATA dropc<>+32(SB)/8, $4
DATA dropc<>+40(SB)/8, $5
DATA dropc<>+48(SB)/8, $6
DATA dropc<>+56(SB)/8, $7
DATA dropc<>+64(SB)/8, $0xBF58476D1CE4E5B9
DATA dropc<>+72(SB)/8, $0x94D049BB133111EB
GLOBL dropc<>(SB), RODATA|NOPTR, $80

#define MUL1 Z7
#define MUL2 Z8
#define THRESH Z2
#define SCALE Z3

// HASH finishes splitmix64 on the 8 counters in z (scratch t) and leaves
// the 24-bit draw z >> 40.
#define HASH(z, t) \
	VPSRLQ  $30, z, t    \ // t = z >> 30
	VPXORQ  t, z, z      \ // z ^= t
	VPMULLQ MUL1, z, z   \ // z *= 0xBF58476D1CE4E5B9
	VPSRLQ  $27, z, t    \
	VPXORQ  t, z, z      \
	VPMULLQ MUL2, z, z   \ // z *= 0x94D049BB133111EB
	VPSRLQ  $31, z, t    \
	VPXORQ  t, z, z      \ // z ^= z >> 31
	VPSRLQ  $40, z, z      // draw = z >> 40

// func dropoutAVX512(dst, x []float32, z0, step, thresh uint64, scale float32)
TEXT ·dropoutAVX512(SB), NOSPLIT, $0-76
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	SHRQ $4, CX
	JZ   done
	VPBROADCASTQ z0+48(FP), Z0        // counters of lanes 0-7: z0 + k*step
	VPBROADCASTQ step+56(FP), Z1
	VPMULLQ      dropc<>+0(SB), Z1, Z4 // k*step
	VPADDQ       Z4, Z0, Z0
	VPSLLQ       $3, Z1, Z5           // 8*step: lanes 8-15
	VPSLLQ       $4, Z1, Z6           // 16*step: next iteration
	VPBROADCASTQ thresh+64(FP), THRESH
	VBROADCASTSS scale+72(FP), SCALE
	VPBROADCASTQ dropc<>+64(SB), MUL1
	VPBROADCASTQ dropc<>+72(SB), MUL2

loop:
	VMOVDQA64 Z0, Z9
	HASH(Z9, Z10)
	VPCMPUQ   $5, THRESH, Z9, K1      // K1 = draw >= thresh, lanes 0-7
	VPADDQ    Z5, Z0, Z11
	HASH(Z11, Z10)
	VPCMPUQ   $5, THRESH, Z11, K2     // lanes 8-15
	KUNPCKBW  K1, K2, K3              // K3 = K2:K1
	VMULPS.Z  (SI), SCALE, K3, Z12    // y = keep ? x*scale : 0
	VMOVUPS   Z12, (DI)
	VPADDQ    Z6, Z0, Z0
	ADDQ      $64, SI
	ADDQ      $64, DI
	DECQ      CX
	JNZ       loop
	VZEROUPPER

done:
	RET
