"""Writes convert_torch.bin: float32 values with their bfloat16 and float16
bit patterns as PyTorch rounds them, for checkpoint's conversion tests.

Run: /usr/bin/python3 gen_convert_fixture.py   (Debian python3-torch)

Format: the line "idim checkpoint convert fixture v1 n=<N>\n", then N
records of little-endian (u32 float32 bits, u16 bf16 bits, u16 f16 bits).
"""
import struct

import torch

g = torch.Generator().manual_seed(20261129)
parts = [
    torch.randn(2000, generator=g),
    torch.randn(1000, generator=g) * 1e4,
    torch.randn(500, generator=g) * 1e-5,  # float16 subnormals
    torch.randn(500, generator=g) * 1e-39,  # float32 subnormals
    torch.rand(500, generator=g) * 131072 - 65536,  # around the float16 limit
    torch.tensor([0.0, -0.0, 1.0, 65504.0, 65519.0, 65520.0, 65536.0, 1e38, -1e38,
                  float("inf"), float("-inf"), 3.4028234663852886e38, 2 ** -24, 2 ** -25,
                  1.5 * 2 ** -25, 2 ** -14, 2 ** -126, 2 ** -149]),
]
# Exact ties of both formats: random float32 with the dropped bits set to
# one half.
bits = torch.randint(0, 2 ** 31 - 1, (500,), generator=g, dtype=torch.int64)
ties_bf16 = ((bits & ~0xFFFF) | 0x8000).to(torch.int32).view(torch.float32)
ties_f16 = ((bits & 0x3FFFE000 & ~0x1FFF) | 0x1000 | 0x38000000).to(torch.int32).view(torch.float32)
parts += [ties_bf16[torch.isfinite(ties_bf16)], ties_f16[torch.isfinite(ties_f16)]]
x = torch.cat(parts).to(torch.float32)
b = x.to(torch.bfloat16).view(torch.int16)
h = x.to(torch.float16).view(torch.int16)
xb = x.view(torch.int32)
with open("convert_torch.bin", "wb") as f:
    f.write(b"idim checkpoint convert fixture v1 n=%d\n" % len(x))
    for i in range(len(x)):
        f.write(struct.pack("<IHH", xb[i].item() & 0xFFFFFFFF, b[i].item() & 0xFFFF, h[i].item() & 0xFFFF))
print(len(x), "values")
