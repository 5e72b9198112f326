"""Writes ../kernel_amd64.s, the micro-kernels of package gemm.

Run from anywhere: python3 internal/gemm/_gen/gen_amd64.py
The .s file is committed; this script only saves writing it by hand.
"""
import os

out=[]
w=out.append
w('//go:build gc && !purego\n')
w('#include "textflag.h"\n')

def kernel(name, mr, nv, vb, reg, zero, bcastregs, unroll, pfa=0, pfb=0, pfc='PREFETCHT1', rows=None):
    # vb: bytes per vector; nv vectors per row; A slivers packed mr rows
    # wide, of which the first rows (default all mr) are computed.
    nr = nv*vb//4
    full = rows is None
    if full:
        rows = mr
    acc = lambda i,v: f"{reg}{i*nv+v}"
    breg = [f"{reg}{rows*nv+v}" for v in range(nv)]
    w(f"// func {name}(k int, a, b, c *float32, ldc int, alpha, beta float32)")
    w(f"//")
    w(f"// {name} computes the {rows}x{nr} tile")
    w(f"//")
    w(f"//\tc[i*ldc+j] = alpha * sum_p a[p*{mr}+i]*b[p*{nr}+j] + beta*c[i*ldc+j]")
    w(f"//")
    if not full:
        w(f"// for i < {rows} only, from A slivers packed {mr} rows wide (the last,")
        w(f"// partial row tile of a product), for k >= 0, reading c only when")
        w(f"// beta != 0 (or -0). The accumulator of")
    else:
        w(f"// for k >= 0, reading c only when beta != 0 (or -0). The accumulator of")
    w(f"// row i, vector v is {reg}(i*{nv}+v), {acc(0,0)}..{acc(rows-1,nv-1)}; {', '.join(breg)} hold one row of the")
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
        for i in range(rows):
            for l in range(0, nr*4, 64):
                w(f"\t{pfc} {l}(R9)")
            if i < rows-1:
                w(f"\tADDQ R8, R9")
    w(f"")
    for i in range(rows):
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
        for i in range(rows):
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
    for i in range(rows):
        w(f"\t// acc[{i}][:] = alpha*acc + beta*c[{i}][:]")
        for v in range(nv):
            r = acc(i,v)
            w(f"\tVMULPS {al}, {r}, {r}")
            w(f"\tVFMADD231PS {v*vb}(DI), {be}, {r}")
        if i < rows-1: w(f"\tADDQ R8, DI")
    for i in range(rows):
        w(f"\t// c[{i}][:] = acc[{i}][:]")
        for v in range(nv):
            r = acc(i,v)
            w(f"\tVMOVUPS {r}, {v*vb}(R9)")
        if i < rows-1: w(f"\tADDQ R8, R9")
    w(f"\tVZEROUPPER")
    w(f"\tRET")
    w(f"")
    w(f"{name}_beta0:")
    for i in range(rows):
        w(f"\t// c[{i}][:] = alpha*acc")
        for v in range(nv):
            r = acc(i,v)
            w(f"\tVMULPS {al}, {r}, {r}")
            w(f"\tVMOVUPS {r}, {v*vb}(DI)")
        if i < rows-1: w(f"\tADDQ R8, DI")
    w(f"\tVZEROUPPER")
    w(f"\tRET")
    w(f"")

kernel("kernel12x32AVX512", 12, 2, 64, "Z", "VPXORD", ["Z26","Z27","Z28","Z29","Z30","Z31"], 4)

# The last row tile of a product whose m is not a multiple of 12: these
# read the same 12-row A slivers and compute only the first 4 or 8 rows.
kernel("kernel4x32AVX512", 12, 2, 64, "Z", "VPXORD", ["Z26","Z27","Z28","Z29","Z30","Z31"], 4, rows=4)
kernel("kernel8x32AVX512", 12, 2, 64, "Z", "VPXORD", ["Z26","Z27","Z28","Z29","Z30","Z31"], 4, rows=8)

kernel("kernel6x16AVX2", 6, 2, 32, "Y", "VXORPS", ["Y14","Y15"], 4)
open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'kernel_amd64.s'),'w').write("\n".join(out)+"\n")
