"""Writes ../kernel_arm64.s, the micro-kernels of package gemm.

Run from anywhere: python3 internal/gemm/_gen/gen_arm64.py
The .s file is committed; this script only saves writing it by hand.
"""
import os
out=[]
w=out.append
def fmla_elem(d,n,m,idx):  # Vd.4S += Vn.4S * Vm.S[idx]
    return 0x4F801000 | (idx&1)<<21 | m<<16 | (idx>>1)<<11 | n<<5 | d
def fmul(d,n,m):  # Vd.4S = Vn.4S * Vm.4S
    return 0x6E20DC00 | m<<16 | n<<5 | d
w('//go:build gc && !purego\n')
w('#include "textflag.h"\n')
w('// func kernel8x8NEON(k int, a, b, c *float32, ldc int, alpha, beta float32)')
w('//')
w('// kernel8x8NEON computes the 8x8 tile')
w('//')
w('//\tc[i*ldc+j] = alpha * sum_p a[p*8+i]*b[p*8+j] + beta*c[i*ldc+j]')
w('//')
w('// for k >= 0, reading c only when beta != 0 (or -0). The accumulator of')
w('// row i is V(2i) (columns 0-3) and V(2i+1) (columns 4-7); V16, V17 hold a')
w('// row of the B sliver and V18, V19 a column of the A sliver, used by')
w('// element. Go\'s assembler has no FMLA by element nor vector FMUL, so those')
w('// are WORD encodings (see the comment on each).')
w('TEXT ·kernel8x8NEON(SB), NOSPLIT, $0-48')
w('\tMOVD k+0(FP), R3       // R3 = k')
w('\tMOVD a+8(FP), R0       // R0 = &a[0]')
w('\tMOVD b+16(FP), R1      // R1 = &b[0]')
w('\tMOVD c+24(FP), R2      // R2 = &c[0]')
w('\tMOVD ldc+32(FP), R4')
w('\tLSL  $2, R4            // R4 = ldc in bytes')
for i in range(16):
    w(f'\tVEOR V{i}.B16, V{i}.B16, V{i}.B16')
w('\tCBZ  R3, store')
w('')
w('loop:')
w('\tVLD1.P 32(R1), [V16.S4, V17.S4] // b[p][0:8]')
w('\tVLD1.P 32(R0), [V18.S4, V19.S4] // a[p][0:8]')
for i in range(8):
    m, idx = 18 + i//4, i%4
    for v in range(2):
        d, n = 2*i+v, 16+v
        w(f'\tWORD ${fmla_elem(d,n,m,idx):#08x} // FMLA V{d}.4S, V{n}.4S, V{m}.S[{idx}]')
w('\tSUB  $1, R3')
w('\tCBNZ R3, loop')
w('')
w('store:')
w('\tMOVD $alpha+40(FP), R5')
w('\tVLD1R (R5), [V30.S4]    // V30 = alpha in every lane')
w('\tMOVWU beta+44(FP), R6')
w('\tANDW $0x7fffffff, R6')
w('\tCBZW R6, beta0         // beta == 0 (or -0): do not read C')
w('\tMOVD $beta+44(FP), R5')
w('\tVLD1R (R5), [V31.S4]    // V31 = beta in every lane')
for i in range(8):
    w(f'\t// c[{i}][:] = alpha*acc + beta*c')
    w('\tVLD1 (R2), [V20.S4, V21.S4]')
    for v in range(2):
        d = 2*i+v
        w(f'\tWORD ${fmul(d,d,30):#08x} // FMUL V{d}.4S, V{d}.4S, V30.4S')
        w(f'\tVFMLA V31.S4, V{20+v}.S4, V{d}.S4')
    w(f'\tVST1 [V{2*i}.S4, V{2*i+1}.S4], (R2)')
    if i < 7: w('\tADD  R4, R2')
w('\tRET')
w('')
w('beta0:')
for i in range(8):
    w(f'\t// c[{i}][:] = alpha*acc')
    for v in range(2):
        d = 2*i+v
        w(f'\tWORD ${fmul(d,d,30):#08x} // FMUL V{d}.4S, V{d}.4S, V30.4S')
    w(f'\tVST1 [V{2*i}.S4, V{2*i+1}.S4], (R2)')
    if i < 7: w('\tADD  R4, R2')
w('\tRET')
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'kernel_arm64.s'),'w').write("\n".join(out)+"\n")
