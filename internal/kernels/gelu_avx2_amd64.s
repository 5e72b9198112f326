//go:build gc && !purego

#include "textflag.h"

// The GELU constants of gelu_amd64.s, each replicated into a 32-byte
// vector so that AVX2 instructions can take them as memory operands.
DATA geluv<>+0(SB)/4, $0x7fffffff
DATA geluv<>+4(SB)/4, $0x7fffffff
DATA geluv<>+8(SB)/4, $0x7fffffff
DATA geluv<>+12(SB)/4, $0x7fffffff
DATA geluv<>+16(SB)/4, $0x7fffffff
DATA geluv<>+20(SB)/4, $0x7fffffff
DATA geluv<>+24(SB)/4, $0x7fffffff
DATA geluv<>+28(SB)/4, $0x7fffffff
DATA geluv<>+32(SB)/4, $0x3f3504f3
DATA geluv<>+36(SB)/4, $0x3f3504f3
DATA geluv<>+40(SB)/4, $0x3f3504f3
DATA geluv<>+44(SB)/4, $0x3f3504f3
DATA geluv<>+48(SB)/4, $0x3f3504f3
DATA geluv<>+52(SB)/4, $0x3f3504f3
DATA geluv<>+56(SB)/4, $0x3f3504f3
DATA geluv<>+60(SB)/4, $0x3f3504f3
DATA geluv<>+64(SB)/4, $0x3f800000
DATA geluv<>+68(SB)/4, $0x3f800000
DATA geluv<>+72(SB)/4, $0x3f800000
DATA geluv<>+76(SB)/4, $0x3f800000
DATA geluv<>+80(SB)/4, $0x3f800000
DATA geluv<>+84(SB)/4, $0x3f800000
DATA geluv<>+88(SB)/4, $0x3f800000
DATA geluv<>+92(SB)/4, $0x3f800000
DATA geluv<>+96(SB)/4, $0x3ea7ba05
DATA geluv<>+100(SB)/4, $0x3ea7ba05
DATA geluv<>+104(SB)/4, $0x3ea7ba05
DATA geluv<>+108(SB)/4, $0x3ea7ba05
DATA geluv<>+112(SB)/4, $0x3ea7ba05
DATA geluv<>+116(SB)/4, $0x3ea7ba05
DATA geluv<>+120(SB)/4, $0x3ea7ba05
DATA geluv<>+124(SB)/4, $0x3ea7ba05
DATA geluv<>+128(SB)/4, $0x3f87dc22
DATA geluv<>+132(SB)/4, $0x3f87dc22
DATA geluv<>+136(SB)/4, $0x3f87dc22
DATA geluv<>+140(SB)/4, $0x3f87dc22
DATA geluv<>+144(SB)/4, $0x3f87dc22
DATA geluv<>+148(SB)/4, $0x3f87dc22
DATA geluv<>+152(SB)/4, $0x3f87dc22
DATA geluv<>+156(SB)/4, $0x3f87dc22
DATA geluv<>+160(SB)/4, $0xbfba00e3
DATA geluv<>+164(SB)/4, $0xbfba00e3
DATA geluv<>+168(SB)/4, $0xbfba00e3
DATA geluv<>+172(SB)/4, $0xbfba00e3
DATA geluv<>+176(SB)/4, $0xbfba00e3
DATA geluv<>+180(SB)/4, $0xbfba00e3
DATA geluv<>+184(SB)/4, $0xbfba00e3
DATA geluv<>+188(SB)/4, $0xbfba00e3
DATA geluv<>+192(SB)/4, $0x3fb5f0e3
DATA geluv<>+196(SB)/4, $0x3fb5f0e3
DATA geluv<>+200(SB)/4, $0x3fb5f0e3
DATA geluv<>+204(SB)/4, $0x3fb5f0e3
DATA geluv<>+208(SB)/4, $0x3fb5f0e3
DATA geluv<>+212(SB)/4, $0x3fb5f0e3
DATA geluv<>+216(SB)/4, $0x3fb5f0e3
DATA geluv<>+220(SB)/4, $0x3fb5f0e3
DATA geluv<>+224(SB)/4, $0xbe91a98e
DATA geluv<>+228(SB)/4, $0xbe91a98e
DATA geluv<>+232(SB)/4, $0xbe91a98e
DATA geluv<>+236(SB)/4, $0xbe91a98e
DATA geluv<>+240(SB)/4, $0xbe91a98e
DATA geluv<>+244(SB)/4, $0xbe91a98e
DATA geluv<>+248(SB)/4, $0xbe91a98e
DATA geluv<>+252(SB)/4, $0xbe91a98e
DATA geluv<>+256(SB)/4, $0x3e827906
DATA geluv<>+260(SB)/4, $0x3e827906
DATA geluv<>+264(SB)/4, $0x3e827906
DATA geluv<>+268(SB)/4, $0x3e827906
DATA geluv<>+272(SB)/4, $0x3e827906
DATA geluv<>+276(SB)/4, $0x3e827906
DATA geluv<>+280(SB)/4, $0x3e827906
DATA geluv<>+284(SB)/4, $0x3e827906
DATA geluv<>+288(SB)/4, $0x3fb8aa3b
DATA geluv<>+292(SB)/4, $0x3fb8aa3b
DATA geluv<>+296(SB)/4, $0x3fb8aa3b
DATA geluv<>+300(SB)/4, $0x3fb8aa3b
DATA geluv<>+304(SB)/4, $0x3fb8aa3b
DATA geluv<>+308(SB)/4, $0x3fb8aa3b
DATA geluv<>+312(SB)/4, $0x3fb8aa3b
DATA geluv<>+316(SB)/4, $0x3fb8aa3b
DATA geluv<>+320(SB)/4, $0x3f317200
DATA geluv<>+324(SB)/4, $0x3f317200
DATA geluv<>+328(SB)/4, $0x3f317200
DATA geluv<>+332(SB)/4, $0x3f317200
DATA geluv<>+336(SB)/4, $0x3f317200
DATA geluv<>+340(SB)/4, $0x3f317200
DATA geluv<>+344(SB)/4, $0x3f317200
DATA geluv<>+348(SB)/4, $0x3f317200
DATA geluv<>+352(SB)/4, $0x35bfbe8e
DATA geluv<>+356(SB)/4, $0x35bfbe8e
DATA geluv<>+360(SB)/4, $0x35bfbe8e
DATA geluv<>+364(SB)/4, $0x35bfbe8e
DATA geluv<>+368(SB)/4, $0x35bfbe8e
DATA geluv<>+372(SB)/4, $0x35bfbe8e
DATA geluv<>+376(SB)/4, $0x35bfbe8e
DATA geluv<>+380(SB)/4, $0x35bfbe8e
DATA geluv<>+384(SB)/4, $0x39500d01
DATA geluv<>+388(SB)/4, $0x39500d01
DATA geluv<>+392(SB)/4, $0x39500d01
DATA geluv<>+396(SB)/4, $0x39500d01
DATA geluv<>+400(SB)/4, $0x39500d01
DATA geluv<>+404(SB)/4, $0x39500d01
DATA geluv<>+408(SB)/4, $0x39500d01
DATA geluv<>+412(SB)/4, $0x39500d01
DATA geluv<>+416(SB)/4, $0x3ab60b61
DATA geluv<>+420(SB)/4, $0x3ab60b61
DATA geluv<>+424(SB)/4, $0x3ab60b61
DATA geluv<>+428(SB)/4, $0x3ab60b61
DATA geluv<>+432(SB)/4, $0x3ab60b61
DATA geluv<>+436(SB)/4, $0x3ab60b61
DATA geluv<>+440(SB)/4, $0x3ab60b61
DATA geluv<>+444(SB)/4, $0x3ab60b61
DATA geluv<>+448(SB)/4, $0x3c088889
DATA geluv<>+452(SB)/4, $0x3c088889
DATA geluv<>+456(SB)/4, $0x3c088889
DATA geluv<>+460(SB)/4, $0x3c088889
DATA geluv<>+464(SB)/4, $0x3c088889
DATA geluv<>+468(SB)/4, $0x3c088889
DATA geluv<>+472(SB)/4, $0x3c088889
DATA geluv<>+476(SB)/4, $0x3c088889
DATA geluv<>+480(SB)/4, $0x3d2aaaab
DATA geluv<>+484(SB)/4, $0x3d2aaaab
DATA geluv<>+488(SB)/4, $0x3d2aaaab
DATA geluv<>+492(SB)/4, $0x3d2aaaab
DATA geluv<>+496(SB)/4, $0x3d2aaaab
DATA geluv<>+500(SB)/4, $0x3d2aaaab
DATA geluv<>+504(SB)/4, $0x3d2aaaab
DATA geluv<>+508(SB)/4, $0x3d2aaaab
DATA geluv<>+512(SB)/4, $0x3e2aaaab
DATA geluv<>+516(SB)/4, $0x3e2aaaab
DATA geluv<>+520(SB)/4, $0x3e2aaaab
DATA geluv<>+524(SB)/4, $0x3e2aaaab
DATA geluv<>+528(SB)/4, $0x3e2aaaab
DATA geluv<>+532(SB)/4, $0x3e2aaaab
DATA geluv<>+536(SB)/4, $0x3e2aaaab
DATA geluv<>+540(SB)/4, $0x3e2aaaab
DATA geluv<>+544(SB)/4, $0x3f000000
DATA geluv<>+548(SB)/4, $0x3f000000
DATA geluv<>+552(SB)/4, $0x3f000000
DATA geluv<>+556(SB)/4, $0x3f000000
DATA geluv<>+560(SB)/4, $0x3f000000
DATA geluv<>+564(SB)/4, $0x3f000000
DATA geluv<>+568(SB)/4, $0x3f000000
DATA geluv<>+572(SB)/4, $0x3f000000
DATA geluv<>+576(SB)/4, $0x42ae0000
DATA geluv<>+580(SB)/4, $0x42ae0000
DATA geluv<>+584(SB)/4, $0x42ae0000
DATA geluv<>+588(SB)/4, $0x42ae0000
DATA geluv<>+592(SB)/4, $0x42ae0000
DATA geluv<>+596(SB)/4, $0x42ae0000
DATA geluv<>+600(SB)/4, $0x42ae0000
DATA geluv<>+604(SB)/4, $0x42ae0000
DATA geluv<>+608(SB)/4, $0x3ecc422a
DATA geluv<>+612(SB)/4, $0x3ecc422a
DATA geluv<>+616(SB)/4, $0x3ecc422a
DATA geluv<>+620(SB)/4, $0x3ecc422a
DATA geluv<>+624(SB)/4, $0x3ecc422a
DATA geluv<>+628(SB)/4, $0x3ecc422a
DATA geluv<>+632(SB)/4, $0x3ecc422a
DATA geluv<>+636(SB)/4, $0x3ecc422a
DATA geluv<>+640(SB)/4, $0x0000007f
DATA geluv<>+644(SB)/4, $0x0000007f
DATA geluv<>+648(SB)/4, $0x0000007f
DATA geluv<>+652(SB)/4, $0x0000007f
DATA geluv<>+656(SB)/4, $0x0000007f
DATA geluv<>+660(SB)/4, $0x0000007f
DATA geluv<>+664(SB)/4, $0x0000007f
DATA geluv<>+668(SB)/4, $0x0000007f
GLOBL geluv<>(SB), RODATA|NOPTR, $672

#define V_ABS geluv<>+0(SB)
#define V_INVSQRT2 geluv<>+32(SB)
#define V_ONE geluv<>+64(SB)
#define V_P geluv<>+96(SB)
#define V_A5 geluv<>+128(SB)
#define V_A4 geluv<>+160(SB)
#define V_A3 geluv<>+192(SB)
#define V_A2 geluv<>+224(SB)
#define V_A1 geluv<>+256(SB)
#define V_LOG2E geluv<>+288(SB)
#define V_LN2HI geluv<>+320(SB)
#define V_LN2LO geluv<>+352(SB)
#define V_C7 geluv<>+384(SB)
#define V_C6 geluv<>+416(SB)
#define V_C5 geluv<>+448(SB)
#define V_C4 geluv<>+480(SB)
#define V_C3 geluv<>+512(SB)
#define V_HALF geluv<>+544(SB)
#define V_EXPMAX geluv<>+576(SB)
#define V_INVSQRT2PI geluv<>+608(SB)
#define V_BIAS127 geluv<>+640(SB)

// CDF8 computes, for the 8 values x in Y0, Y1 = Phi(x) and Y11 =
// exp(-x*x/2), as the CDF macro of gelu_amd64.s does with 16 lanes; 2^n is
// built in the exponent bits since AVX2 has no VSCALEFPS. Y9 must be zero.
// Scratch: Y2, Y4-Y8, Y10, Y12, Y13.
#define CDF8 \
	VANDPS       V_ABS, Y0, Y4         \ // z = |x|
	VMULPS       V_INVSQRT2, Y4, Y4    \ // z = |x|/sqrt2
	VMULPS       Y4, Y4, Y5            \ // u = z*z
	VMOVUPS      V_ONE, Y6             \
	VFMADD231PS  V_P, Y4, Y6           \ // s = 1 + p*z
	VMOVUPS      V_ONE, Y12            \
	VDIVPS       Y6, Y12, Y6           \ // t = 1/s
	VMOVUPS      V_A5, Y7              \
	VFMADD213PS  V_A4, Y6, Y7          \ // q = q*t + a4
	VFMADD213PS  V_A3, Y6, Y7          \
	VFMADD213PS  V_A2, Y6, Y7          \
	VFMADD213PS  V_A1, Y6, Y7          \
	VMULPS       Y6, Y7, Y7            \ // q = t*poly
	VMINPS       V_EXPMAX, Y5, Y5      \ // u = min(u, 87)
	VSUBPS       Y5, Y9, Y5            \ // w = -u
	VMULPS       V_LOG2E, Y5, Y8       \
	VROUNDPS     $0, Y8, Y8            \ // n = round(w*log2e)
	VMOVAPS      Y5, Y10               \
	VFNMADD231PS V_LN2HI, Y8, Y10      \ // r = w - n*ln2hi
	VFNMADD231PS V_LN2LO, Y8, Y10      \ // r -= n*ln2lo
	VMOVUPS      V_C7, Y11             \
	VFMADD213PS  V_C6, Y10, Y11        \ // e^r by Horner
	VFMADD213PS  V_C5, Y10, Y11        \
	VFMADD213PS  V_C4, Y10, Y11        \
	VFMADD213PS  V_C3, Y10, Y11        \
	VFMADD213PS  V_HALF, Y10, Y11      \
	VFMADD213PS  V_ONE, Y10, Y11       \
	VFMADD213PS  V_ONE, Y10, Y11       \
	VCVTPS2DQ    Y8, Y13               \ // n as int32 in [-126, 0]
	VPADDD       V_BIAS127, Y13, Y13   \
	VPSLLD       $23, Y13, Y13         \ // 2^n as float bits
	VMULPS       Y13, Y11, Y11         \ // e = e^r * 2^n
	VMULPS       Y11, Y7, Y7           \ // erfc(z)
	VMULPS       V_HALF, Y7, Y7        \ // q = erfc(z)/2 = Phi(-|x|)
	VMOVUPS      V_ONE, Y1             \
	VSUBPS       Y7, Y1, Y1            \ // cdf = 1 - q
	VCMPPS       $1, Y9, Y0, Y2        \ // x < 0
	VBLENDVPS    Y2, Y7, Y1, Y1          // cdf = q where x < 0

// func geluAVX2(dst, x []float32)
TEXT ·geluAVX2(SB), NOSPLIT, $0-48
	MOVQ   dst_base+0(FP), DI
	MOVQ   dst_len+8(FP), CX
	MOVQ   x_base+24(FP), SI
	SHRQ   $3, CX
	JZ     fdone
	VXORPS Y9, Y9, Y9

floop:
	VMOVUPS (SI), Y0   // x
	CDF8
	VMULPS  Y1, Y0, Y3 // y = x*cdf
	VMOVUPS Y3, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     floop
	VZEROUPPER

fdone:
	RET

// func geluGradAVX2(dx, x, dy []float32)
TEXT ·geluGradAVX2(SB), NOSPLIT, $0-72
	MOVQ   dx_base+0(FP), DI
	MOVQ   dx_len+8(FP), CX
	MOVQ   x_base+24(FP), SI
	MOVQ   dy_base+48(FP), DX
	SHRQ   $3, CX
	JZ     bdone
	VXORPS Y9, Y9, Y9

bloop:
	VMOVUPS     (SI), Y0
	CDF8
	VMULPS      V_INVSQRT2PI, Y11, Y11 // pdf
	VFMADD231PS Y11, Y0, Y1            // d = cdf + x*pdf
	VMULPS      (DX), Y1, Y3           // dx = dy*d
	VMOVUPS     Y3, (DI)
	ADDQ        $32, SI
	ADDQ        $32, DX
	ADDQ        $32, DI
	DECQ        CX
	JNZ         bloop
	VZEROUPPER

bdone:
	RET
