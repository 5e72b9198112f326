//go:build gc && !purego

#include "textflag.h"

// Constants of the GELU kernels (float32 bit patterns), broadcast into
// Z12-Z31 once per call.
DATA geluc<>+0(SB)/4, $0x7fffffff  // absmask
DATA geluc<>+4(SB)/4, $0x3f3504f3  // 1/sqrt(2)
DATA geluc<>+8(SB)/4, $0x3f800000  // 1
DATA geluc<>+12(SB)/4, $0x3ea7ba05 // p = 0.3275911 (A&S 7.1.26)
DATA geluc<>+16(SB)/4, $0x3f87dc22 // a5 = 1.061405429
DATA geluc<>+20(SB)/4, $0xbfba00e3 // a4 = -1.453152027
DATA geluc<>+24(SB)/4, $0x3fb5f0e3 // a3 = 1.421413741
DATA geluc<>+28(SB)/4, $0xbe91a98e // a2 = -0.284496736
DATA geluc<>+32(SB)/4, $0x3e827906 // a1 = 0.254829592
DATA geluc<>+36(SB)/4, $0x3fb8aa3b // log2(e)
DATA geluc<>+40(SB)/4, $0x3f317200 // ln2 high part
DATA geluc<>+44(SB)/4, $0x35bfbe8e // ln2 low part
DATA geluc<>+48(SB)/4, $0x39500d01 // 1/5040
DATA geluc<>+52(SB)/4, $0x3ab60b61 // 1/720
DATA geluc<>+56(SB)/4, $0x3c088889 // 1/120
DATA geluc<>+60(SB)/4, $0x3d2aaaab // 1/24
DATA geluc<>+64(SB)/4, $0x3e2aaaab // 1/6
DATA geluc<>+68(SB)/4, $0x3f000000 // 0.5
DATA geluc<>+72(SB)/4, $0x42ae0000 // 87: z*z is clamped here (exp(-87) ~ 1.6e-38)
DATA geluc<>+76(SB)/4, $0x3ecc422a // 1/sqrt(2 pi)
GLOBL geluc<>(SB), RODATA|NOPTR, $80

#define ABSMASK Z16
#define INVSQRT2 Z17
#define ONE Z18
#define PCOEF Z19
#define A5 Z20
#define A4 Z21
#define A3 Z22
#define A2 Z23
#define A1 Z24
#define LOG2E Z25
#define LN2HI Z26
#define LN2LO Z27
#define C7 Z28
#define C6 Z29
#define C5 Z30
#define C4 Z31
#define C3 Z15
#define HALF Z14
#define EXPMAX Z13
#define INVSQRT2PI Z12
#define ZERO Z9

#define LOADCONSTS \
	VPBROADCASTD geluc<>+0(SB), ABSMASK   \
	VBROADCASTSS geluc<>+4(SB), INVSQRT2  \
	VBROADCASTSS geluc<>+8(SB), ONE       \
	VBROADCASTSS geluc<>+12(SB), PCOEF    \
	VBROADCASTSS geluc<>+16(SB), A5       \
	VBROADCASTSS geluc<>+20(SB), A4       \
	VBROADCASTSS geluc<>+24(SB), A3       \
	VBROADCASTSS geluc<>+28(SB), A2       \
	VBROADCASTSS geluc<>+32(SB), A1       \
	VBROADCASTSS geluc<>+36(SB), LOG2E    \
	VBROADCASTSS geluc<>+40(SB), LN2HI    \
	VBROADCASTSS geluc<>+44(SB), LN2LO    \
	VBROADCASTSS geluc<>+48(SB), C7       \
	VBROADCASTSS geluc<>+52(SB), C6       \
	VBROADCASTSS geluc<>+56(SB), C5       \
	VBROADCASTSS geluc<>+60(SB), C4       \
	VBROADCASTSS geluc<>+64(SB), C3       \
	VBROADCASTSS geluc<>+68(SB), HALF     \
	VBROADCASTSS geluc<>+72(SB), EXPMAX   \
	VBROADCASTSS geluc<>+76(SB), INVSQRT2PI \
	VPXORD ZERO, ZERO, ZERO

// CDF computes, for the 16 values x in Z0, Z1 = Phi(x) and Z11 = exp(-x*x/2).
// Scratch: Z4-Z8, Z10.
#define CDF \
	VPANDD ABSMASK, Z0, Z4        \ // z = |x|
	VMULPS INVSQRT2, Z4, Z4       \ // z = |x|/sqrt2
	VMULPS Z4, Z4, Z5             \ // u = z*z
	VMOVAPS ONE, Z6               \
	VFMADD231PS PCOEF, Z4, Z6     \ // s = 1 + p*z
	VDIVPS Z6, ONE, Z6            \ // t = 1/s
	VMOVAPS A5, Z7                \
	VFMADD213PS A4, Z6, Z7        \ // q = q*t + a4
	VFMADD213PS A3, Z6, Z7        \ // q = q*t + a3
	VFMADD213PS A2, Z6, Z7        \ // q = q*t + a2
	VFMADD213PS A1, Z6, Z7        \ // q = q*t + a1
	VMULPS Z6, Z7, Z7             \ // q = t*q
	VMINPS EXPMAX, Z5, Z5         \ // u = min(u, 87)
	VSUBPS Z5, ZERO, Z5           \ // w = -u
	VMULPS LOG2E, Z5, Z8          \ // n = w*log2e
	VRNDSCALEPS $0, Z8, Z8        \ // n = round(n)
	VMOVAPS Z5, Z10               \
	VFNMADD231PS LN2HI, Z8, Z10   \ // r = w - n*ln2hi
	VFNMADD231PS LN2LO, Z8, Z10   \ // r = r - n*ln2lo
	VMOVAPS C7, Z11               \
	VFMADD213PS C6, Z10, Z11      \ // e = e*r + 1/720
	VFMADD213PS C5, Z10, Z11      \ // e = e*r + 1/120
	VFMADD213PS C4, Z10, Z11      \ // e = e*r + 1/24
	VFMADD213PS C3, Z10, Z11      \ // e = e*r + 1/6
	VFMADD213PS HALF, Z10, Z11    \ // e = e*r + 1/2
	VFMADD213PS ONE, Z10, Z11     \ // e = e*r + 1
	VFMADD213PS ONE, Z10, Z11     \ // e = e*r + 1
	VSCALEFPS Z8, Z11, Z11        \ // e = e * 2^n = exp(w)
	VMULPS Z11, Z7, Z7            \ // q = t*poly*e = erfc(z)
	VMULPS HALF, Z7, Z7           \ // q = erfc(z)/2 = Phi(-|x|)
	VSUBPS Z7, ONE, Z1            \ // cdf = 1 - q
	VCMPPS $1, ZERO, Z0, K1       \ // K1 = x < 0
	VMOVAPS Z7, K1, Z1              // cdf = q where x < 0

// func geluAVX512(dst, x []float32)
TEXT ·geluAVX512(SB), NOSPLIT, $0-48
	MOVQ dst_base+0(FP), DI
	MOVQ dst_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	SHRQ $4, CX
	JZ   fdone
	LOADCONSTS

floop:
	VMOVUPS (SI), Z0    // x
	CDF
	VMULPS  Z1, Z0, Z3  // y = x*cdf
	VMOVUPS Z3, (DI)
	ADDQ    $64, SI
	ADDQ    $64, DI
	DECQ    CX
	JNZ     floop
	VZEROUPPER

fdone:
	RET

// func geluGradAVX512(dx, x, dy []float32)
TEXT ·geluGradAVX512(SB), NOSPLIT, $0-72
	MOVQ dx_base+0(FP), DI
	MOVQ dx_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ dy_base+48(FP), DX
	SHRQ $4, CX
	JZ   bdone
	LOADCONSTS

bloop:
	VMOVUPS     (SI), Z0          // x
	CDF
	VMULPS      INVSQRT2PI, Z11, Z11 // pdf = exp(-x*x/2)/sqrt(2 pi)
	VFMADD231PS Z11, Z0, Z1       // d = cdf + x*pdf
	VMULPS      (DX), Z1, Z3      // dx = dy*d
	VMOVUPS     Z3, (DI)
	ADDQ        $64, SI
	ADDQ        $64, DX
	ADDQ        $64, DI
	DECQ        CX
	JNZ         bloop
	VZEROUPPER

bdone:
	RET
