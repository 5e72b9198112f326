"""Writes ../kernel_arm64.s, the micro-kernels of package gemm.

Run from anywhere: python3 internal/gemm/_gen/gen_arm64.py
The .s file is committed; this script only saves writing it by hand.
"""
import os

MR, NV = 8, 3          # 8 rows x 3 vectors of 4 = 8x12 tile
NR = 4 * NV
BREG = 24              # V24..V26: one row of the B sliver
AREG = 28              # V28, V29: one column of the A sliver (8 floats)
out = []
w = out.append


def fmla_elem(d, n, m, idx):  # Vd.4S += Vn.4S * Vm.S[idx]
    return 0x4F801000 | (idx & 1) << 21 | m << 16 | (idx >> 1) << 11 | n << 5 | d


def fmul(d, n, m):  # Vd.4S = Vn.4S * Vm.4S
    return 0x6E20DC00 | m << 16 | n << 5 | d


def regs(first, count):
    return ", ".join(f"V{first + v}.S4" for v in range(count))


name = f"kernel{MR}x{NR}NEON"
w('//go:build gc && !purego\n')
w('#include "textflag.h"\n')
w(f'// func {name}(k int, a, b, c *float32, ldc int, alpha, beta float32)')
w('//')
w(f'// {name} computes the {MR}x{NR} tile')
w('//')
w(f'//\tc[i*ldc+j] = alpha * sum_p a[p*{MR}+i]*b[p*{NR}+j] + beta*c[i*ldc+j]')
w('//')
w('// for k >= 0, reading c only when beta != 0 (or -0). The accumulator of')
w(f'// row i, columns 4v..4v+3, is V({NV}i+v): V0..V{MR*NV-1}; V{BREG}..V{BREG+NV-1} hold a row')
w(f'// of the B sliver and V{AREG}, V{AREG+1} a column of the A sliver, used by element;')
w('// V30 and V31 hold alpha and beta. Go\'s assembler has no FMLA by element')
w('// nor vector FMUL, so those are WORD encodings (see the comment on each).')
w(f'TEXT ·{name}(SB), NOSPLIT, $0-48')
w('\tMOVD k+0(FP), R3       // R3 = k')
w('\tMOVD a+8(FP), R0       // R0 = &a[0]')
w('\tMOVD b+16(FP), R1      // R1 = &b[0]')
w('\tMOVD c+24(FP), R2      // R2 = &c[0]')
w('\tMOVD ldc+32(FP), R4')
w('\tLSL  $2, R4            // R4 = ldc in bytes')
for i in range(MR * NV):
    w(f'\tVEOR V{i}.B16, V{i}.B16, V{i}.B16')
w('\tCBZ  R3, store')
w('')
w('loop:')
w(f'\tVLD1.P {NR * 4}(R1), [{regs(BREG, NV)}] // b[p][0:{NR}]')
w(f'\tVLD1.P {MR * 4}(R0), [{regs(AREG, 2)}] // a[p][0:{MR}]')
for i in range(MR):
    m, idx = AREG + i // 4, i % 4
    for v in range(NV):
        d, n = NV * i + v, BREG + v
        w(f'\tWORD ${fmla_elem(d, n, m, idx):#08x} // FMLA V{d}.4S, V{n}.4S, V{m}.S[{idx}]')
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
for i in range(MR):
    w(f'\t// c[{i}][:] = alpha*acc + beta*c')
    w(f'\tVLD1 (R2), [{regs(BREG, NV)}]')
    for v in range(NV):
        d = NV * i + v
        w(f'\tWORD ${fmul(d, d, 30):#08x} // FMUL V{d}.4S, V{d}.4S, V30.4S')
        w(f'\tVFMLA V31.S4, V{BREG + v}.S4, V{d}.S4')
    w(f'\tVST1 [{regs(NV * i, NV)}], (R2)')
    if i < MR - 1:
        w('\tADD  R4, R2')
w('\tRET')
w('')
w('beta0:')
for i in range(MR):
    w(f'\t// c[{i}][:] = alpha*acc')
    for v in range(NV):
        d = NV * i + v
        w(f'\tWORD ${fmul(d, d, 30):#08x} // FMUL V{d}.4S, V{d}.4S, V30.4S')
    w(f'\tVST1 [{regs(NV * i, NV)}], (R2)')
    if i < MR - 1:
        w('\tADD  R4, R2')
w('\tRET')
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'kernel_arm64.s'), 'w').write("\n".join(out) + "\n")
