#!/usr/bin/python3
"""Times torch.optim.AdamW steps over roberta-base's parameter shapes
(124,645,632 values), for comparison with BenchmarkAdamWStep.

Run: /usr/bin/python3 optim/testdata/bench_torch_adamw.py [steps [threads]]
(threads: default all CPUs this process may use)"""
import os
import sys
import time

import torch

H, FF, VOCAB, POS = 768, 3072, 50265, 514
shapes = [(VOCAB, H), (POS, H), (1, H), (H,), (H,)]
for _ in range(12):
    shapes += [(H, H), (H,)] * 3 + [(H, H), (H,), (H,), (H,)] + [(FF, H), (FF,), (H, FF), (H,), (H,), (H,)]
shapes += [(H, H), (H,)]
params = [torch.nn.Parameter(torch.randn(s) * 0.02) for s in shapes]
n = sum(p.numel() for p in params)
for p in params:
    p.grad = torch.randn_like(p) * 0.02
steps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else len(os.sched_getaffinity(0)))
print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {n} parameters in {len(params)} tensors")
for foreach in (False, True):
    opt = torch.optim.AdamW(params, lr=1e-5, weight_decay=0.01, foreach=foreach)
    opt.step()  # allocate the state
    best = float("inf")
    for _ in range(steps):
        t = time.perf_counter()
        opt.step()
        best = min(best, time.perf_counter() - t)
    print(f"AdamW foreach={foreach}: best {best*1e3:.0f} ms/step, {28*n/best/1e9:.2f} GB/s (28 B/param), {n/best/1e6:.1f} Mparam/s")
    del opt
