"""Writes ../kernel_amd64.s, the micro-kernels of package gemm.

Run from anywhere: python3 internal/gemm/_gen/gen_amd64.py
The .s file is committed; this script only saves writing it by hand.
"""
import os

out=[]
w=out.append
w('//go:build gc && !purego\n')
w('#include "textflag.h"\n')

def kernel(name, mr, nv, vb, reg, zero, bcastregs, unroll, pfa=0, pfb=0, pfc='PREFETCHT1'):
    # vb: bytes per vector; nv vectors per row; acc rows mr
    nr = nv*vb//4
    acc = lambda i,v: f"{reg}{i*nv+v}"
    breg = [f"{reg}{mr*nv+v}" for v in range(nv)]
    w(f"// func {name}(k int, a, b, c *float32, ldc int, alpha, beta float32)")
    w(f"//")
    w(f"// {name} computes the {mr}x{nr} tile")
    w(f"//")
    w(f"//\tc[i*ldc+j] = alpha * sum_p a[p*{mr}+i]*b[p*{nr}+j] + beta*c[i*ldc+j]")
    w(f"//")
    w(f"// for k >= 0, reading c only when beta != 0 (or -0). The accumulator of")
    w(f"// row i, vector v is {reg}(i*{nv}+v), {acc(0,0)}..{acc(mr-1,nv-1)}; {', '.join(breg)} hold one row of the")
    w(f"// B sliver and {bcastregs[0]}..{bcastregs[-1]} the broadcast A elements.")
    w(f"TEXT ·{name}(SB), NOSPLIT, $0-48")
    w(f"\tMOVQ k+0(FP), CX     // CX = k")
    w(f"\tMOVQ a+8(FP), SI     // SI = &a[0]")
    w(f"\tMOVQ b+16(FP), DX    // DX = &b[0]")
    w(f"\tMOVQ c+24(FP), DI    // DI = &c[0]")
    w(f"\tMOVQ ldc+32(FP), R8")
    w(f"\tSHLQ $2, R8          // R8 = ldc in bytes")
    w(f"")
    if pfc:
        w(f"\t// Fetch the C tile into L2 while the products run (into L1, rows")
        w(f"\t// at a 4 KiB multiple stride would all compete for the same sets).")
        w(f"\tMOVQ DI, R9")
        for i in range(mr):
            for l in range(0, nr*4, 64):
                w(f"\t{pfc} {l}(R9)")
            if i < mr-1:
                w(f"\tADDQ R8, R9")
    w(f"")
    for i in range(mr):
        for v in range(nv):
            r=acc(i,v)
            w(f"\t{zero} {r}, {r}, {r}")
    w(f"")
    w(f"\tMOVQ CX, R10")
    w(f"\tSHRQ ${unroll.bit_length()-1}, R10       // R10 = k / {unroll}")
    w(f"\tANDQ ${unroll-1}, CX        // CX = k % {unroll}")
    w(f"\tTESTQ R10, R10")
    w(f"\tJZ    {name}_tail")
    w(f"")
    def step(p):
        ao, bo = p*mr*4, p*nr*4
        w(f"\t// k step {p}: acc[i][:] += a[{p}][i] * b[{p}][:]")
        for v in range(nv):
            w(f"\tVMOVUPS {bo+v*vb}(DX), {breg[v]}")
        for i in range(mr):
            br = bcastregs[i % len(bcastregs)]
            w(f"\tVBROADCASTSS {ao+4*i}(SI), {br}")
            for v in range(nv):
                w(f"\tVFMADD231PS {breg[v]}, {br}, {acc(i,v)}")
    w(f"{name}_loop:")
    for p in range(unroll):
        if pfa and p < (unroll*mr*4)//64:
            w(f"\tPREFETCHT0 {pfa+64*p}(SI)")
        if pfb and p < (unroll*nr*4)//64:
            w(f"\tPREFETCHT0 {pfb+64*p}(DX)")
        step(p)
    w(f"\tADDQ ${unroll*mr*4}, SI")
    w(f"\tADDQ ${unroll*nr*4}, DX")
    w(f"\tDECQ R10")
    w(f"\tJNZ  {name}_loop")
    w(f"")
    w(f"{name}_tail:")
    w(f"\tTESTQ CX, CX")
    w(f"\tJZ    {name}_store")
    w(f"")
    w(f"{name}_one:")
    step(0)
    w(f"\tADDQ ${mr*4}, SI")
    w(f"\tADDQ ${nr*4}, DX")
    w(f"\tDECQ CX")
    w(f"\tJNZ  {name}_one")
    w(f"")
    al, be = breg[0], bcastregs[0]
    w(f"{name}_store:")
    w(f"\tVBROADCASTSS alpha+40(FP), {al}")
    w(f"\tMOVL beta+44(FP), AX")
    w(f"\tTESTL $0x7fffffff, AX   // beta == 0 (or -0): do not read C")
    w(f"\tJZ    {name}_beta0")
    w(f"\tVBROADCASTSS beta+44(FP), {be}")
    w(f"\tMOVQ DI, R9           // R9 = &c[0] for the stores")
    w(f"\t// Every load of C before any store: rows a multiple of 4 KiB apart")
    w(f"\t// would make each load wait on the store to the row before it.")
    for i in range(mr):
        w(f"\t// acc[{i}][:] = alpha*acc + beta*c[{i}][:]")
        for v in range(nv):
            r = acc(i,v)
            w(f"\tVMULPS {al}, {r}, {r}")
            w(f"\tVFMADD231PS {v*vb}(DI), {be}, {r}")
        if i < mr-1: w(f"\tADDQ R8, DI")
    for i in range(mr):
        w(f"\t// c[{i}][:] = acc[{i}][:]")
        for v in range(nv):
            r = acc(i,v)
            w(f"\tVMOVUPS {r}, {v*vb}(R9)")
        if i < mr-1: w(f"\tADDQ R8, R9")
    w(f"\tVZEROUPPER")
    w(f"\tRET")
    w(f"")
    w(f"{name}_beta0:")
    for i in range(mr):
        w(f"\t// c[{i}][:] = alpha*acc")
        for v in range(nv):
            r = acc(i,v)
            w(f"\tVMULPS {al}, {r}, {r}")
            w(f"\tVMOVUPS {r}, {v*vb}(DI)")
        if i < mr-1: w(f"\tADDQ R8, DI")
    w(f"\tVZEROUPPER")
    w(f"\tRET")
    w(f"")

kernel("kernel12x32AVX512", 12, 2, 64, "Z", "VPXORD", ["Z26","Z27","Z28","Z29","Z30","Z31"], 4)

kernel("kernel6x16AVX2", 6, 2, 32, "Y", "VXORPS", ["Y14","Y15"], 4)
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'kernel_amd64.s'),'w').write("\n".join(out)+"\n")
