#!/usr/bin/python3
"""Build the RoBERTa parity fixture for idim's transformer package.

Run with Debian's python3-torch (the Go tests never need Python):

    /usr/bin/python3 transformer/testdata/make_fixture.py

It writes, next to this script:

  tiny-roberta/config.json        an HF config (model_type "roberta")
  tiny-roberta/model.safetensors  float32 weights under HF's names, written by the
                                  small safetensors writer below (no lm_head.decoder.*:
                                  HF drops tied tensors when saving)
  fixture.bin                     inputs, outputs, losses and gradients (format below)

The reference model is written plainly in torch.nn and mirrors HF transformers'
RobertaModel, RobertaForSequenceClassification and RobertaForMaskedLM (eval mode,
"eager" attention), with HF's parameter names:

  * embeddings: word + position + token_type, LayerNorm, dropout. Position ids are
    cumsum(input_ids != pad) * (input_ids != pad) + pad, i.e. they start at pad+1
    and padding tokens get position pad.
  * post-LN encoder layers: self-attention (query, key, value; scores / sqrt(head
    dim) + additive mask; softmax; dropout), attention.output.dense + residual +
    LayerNorm, intermediate.dense + exact-erf GELU, output.dense + residual +
    LayerNorm. The additive mask is (1 - mask) * torch.finfo(dtype).min.
  * classification head on the <s> token: dropout, classifier.dense, tanh,
    dropout, classifier.out_proj; loss cross entropy (num_labels > 1).
  * MLM head: lm_head.dense, GELU, lm_head.layer_norm, decoder tied to the word
    embeddings plus lm_head.bias; loss cross entropy with ignore_index -100.

The model is built in float32 (its outputs are stored with the suffix ".f32") and
again in float64 from the same float32 weights (the references: no suffix; the
gradients are stored as float32 roundings of the float64 ones). The
weights are random with a larger spread than HF's init (std 0.02) so that every
part of the network matters to the outputs.

fixture.bin (little endian):
  magic    8 bytes  "IDIMFIX1"
  version  uint32   1
  info     uint32 length + UTF-8 text (torch version, script version, config)
  count    uint32   number of arrays
  each array:
    name   uint16 length + UTF-8
    dtype  uint8    0 float32, 1 float64, 2 int32
    ndim   uint8
    dims   ndim x uint32
    data   product(dims) elements
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SCRIPT_VERSION = "make_fixture.py v1"
HERE = os.path.dirname(os.path.abspath(__file__))

CONFIG = {
    "architectures": ["RobertaForMaskedLM"],
    "model_type": "roberta",
    "vocab_size": 100,
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "intermediate_size": 64,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "attention_probs_dropout_prob": 0.1,
    "max_position_embeddings": 40,
    "type_vocab_size": 1,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-05,
    "pad_token_id": 1,
    "bos_token_id": 0,
    "eos_token_id": 2,
    "position_embedding_type": "absolute",
    "id2label": {"0": "negative", "1": "neutral", "2": "positive"},
    "label2id": {"negative": 0, "neutral": 1, "positive": 2},
    "torch_dtype": "float32",
}


class Embeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.padding_idx = c["pad_token_id"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], c["hidden_size"], padding_idx=self.padding_idx)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], c["hidden_size"],
                                                padding_idx=self.padding_idx)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, input_ids, token_type_ids):
        m = (input_ids != self.padding_idx).long()
        position_ids = torch.cumsum(m, dim=1) * m + self.padding_idx
        x = (self.word_embeddings(input_ids) + self.position_embeddings(position_ids)
             + self.token_type_embeddings(token_type_ids))
        return self.dropout(self.LayerNorm(x))


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.head_dim = h // self.heads
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)
        self.dropout = nn.Dropout(c["attention_probs_dropout_prob"])

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x, ext_mask):
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim) + ext_mask
        probs = self.dropout(F.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(x.shape)


class DenseLN(nn.Module):
    """HF's RobertaSelfOutput / RobertaOutput: dense, dropout, residual, LayerNorm."""

    def __init__(self, c, n_in):
        super().__init__()
        self.dense = nn.Linear(n_in, c["hidden_size"])
        self.LayerNorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        setattr(self, "self", SelfAttention(c))
        self.output = DenseLN(c, c["hidden_size"])

    def forward(self, x, ext_mask):
        return self.output(getattr(self, "self")(x, ext_mask), x)


class Intermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x))  # exact erf GELU


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = Attention(c)
        self.intermediate = Intermediate(c)
        self.output = DenseLN(c, c["intermediate_size"])

    def forward(self, x, ext_mask):
        a = self.attention(x, ext_mask)
        return self.output(self.intermediate(a), a)


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([Layer(c) for _ in range(c["num_hidden_layers"])])

    def forward(self, x, ext_mask):
        for l in self.layer:
            x = l(x, ext_mask)
        return x


class Roberta(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = Embeddings(c)
        self.encoder = Encoder(c)

    def forward(self, input_ids, attention_mask, token_type_ids):
        x = self.embeddings(input_ids, token_type_ids)
        dt = x.dtype
        ext = (1.0 - attention_mask[:, None, None, :].to(dt)) * torch.finfo(dt).min
        return self.encoder(x, ext)


class ClassificationHead(nn.Module):
    def __init__(self, c, num_labels):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.dropout = nn.Dropout(c["hidden_dropout_prob"])
        self.out_proj = nn.Linear(c["hidden_size"], num_labels)

    def forward(self, h):
        x = self.dropout(h[:, 0, :])
        x = torch.tanh(self.dense(x))
        return self.out_proj(self.dropout(x))


class LMHead(nn.Module):
    def __init__(self, c, word_embeddings):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"])
        self.layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.bias = nn.Parameter(torch.zeros(c["vocab_size"]))
        self.word_embeddings = [word_embeddings]  # tied decoder weight, not a submodule

    def forward(self, h):
        x = self.layer_norm(F.gelu(self.dense(h)))
        return F.linear(x, self.word_embeddings[0].weight, self.bias)


class Full(nn.Module):
    """roberta + classifier + lm_head, i.e. the union of HF's two task models."""

    def __init__(self, c, num_labels):
        super().__init__()
        self.roberta = Roberta(c)
        self.classifier = ClassificationHead(c, num_labels)
        self.lm_head = LMHead(c, self.roberta.embeddings.word_embeddings)


def randomize(model, gen):
    """Random weights with a spread that exercises every part of the network."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm" in name or "layer_norm" in name:
                if name.endswith("weight"):
                    p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=gen))
                else:
                    p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif "embeddings" in name:
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            else:
                fan_in = p.shape[1]
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(fan_in))


def write_safetensors(path, tensors):
    """tensors: dict name -> numpy array (float32). Header keys sorted, data in name order."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    off = 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def write_fixture(path, info, arrays):
    codes = {np.dtype("<f4"): 0, np.dtype("<f8"): 1, np.dtype("<i4"): 2}
    with open(path, "wb") as f:
        f.write(b"IDIMFIX1")
        f.write(struct.pack("<I", 1))
        ib = info.encode("utf-8")
        f.write(struct.pack("<I", len(ib)))
        f.write(ib)
        f.write(struct.pack("<I", len(arrays)))
        for name, a in arrays:
            a = np.ascontiguousarray(a)
            if a.dtype == np.float32:
                a = a.astype("<f4")
            elif a.dtype == np.float64:
                a = a.astype("<f8")
            else:
                a = a.astype("<i4")
            nb = name.encode("utf-8")
            f.write(struct.pack("<H", len(nb)))
            f.write(nb)
            f.write(struct.pack("<BB", codes[a.dtype], a.ndim))
            for d in a.shape:
                f.write(struct.pack("<I", d))
            f.write(a.tobytes())


def run(model, ids, mask, types, labels, mlm_labels):
    """Forward both heads, both losses, and the gradients of each loss."""
    out = {}
    h = model.roberta(ids, mask, types)
    logits = model.classifier(h)
    loss = F.cross_entropy(logits, labels)
    mlm_logits = model.lm_head(h)
    mlm_loss = F.cross_entropy(mlm_logits.view(-1, mlm_logits.shape[-1]), mlm_labels.view(-1), ignore_index=-100)
    out["last_hidden_state"] = h.detach().numpy()
    out["cls_logits"] = logits.detach().numpy()
    out["cls_loss"] = loss.detach().numpy()
    out["mlm_logits"] = mlm_logits.detach().numpy()
    out["mlm_loss"] = mlm_loss.detach().numpy()
    params = dict(model.named_parameters())
    for lname, l in (("cls", loss), ("mlm", mlm_loss)):
        gs = torch.autograd.grad(l, list(params.values()), retain_graph=True, allow_unused=True)
        for (n, p), g in zip(params.items(), gs):
            if g is None:
                g = torch.zeros_like(p)
            out["grad.%s/%s" % (lname, n)] = g.numpy()
    return out


def main():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    c = CONFIG
    num_labels = len(c["id2label"])

    m32 = Full(c, num_labels)
    randomize(m32, gen)
    m32.eval()
    m64 = Full(c, num_labels).double()
    m64.load_state_dict({k: v.double() for k, v in m32.state_dict().items()})
    m64.eval()

    # Inputs: <s> ... </s> then padding (id 1), lengths 12, 7 and 3.
    lengths = [12, 7, 3]
    T = max(lengths)
    ids = torch.full((len(lengths), T), c["pad_token_id"], dtype=torch.long)
    mask = torch.zeros((len(lengths), T), dtype=torch.long)
    for b, n in enumerate(lengths):
        body = torch.randint(3, c["vocab_size"], (n - 2,), generator=gen)
        ids[b, 0] = c["bos_token_id"]
        ids[b, 1:n - 1] = body
        ids[b, n - 1] = c["eos_token_id"]
        mask[b, :n] = 1
    types = torch.zeros_like(ids)
    labels = torch.tensor([2, 0, 1], dtype=torch.long)
    # MLM labels: a few real positions carry a target token, everything else -100.
    mlm_labels = torch.full_like(ids, -100)
    for b, n in enumerate(lengths):
        for t in range(1, n - 1):
            if torch.rand((), generator=gen).item() < 0.4:
                mlm_labels[b, t] = torch.randint(3, c["vocab_size"], (), generator=gen)
    mlm_labels[0, 1] = 5  # at least one target in every sequence
    mlm_labels[2, 1] = 7

    o32 = run(m32, ids, mask, types, labels, mlm_labels)
    o64 = run(m64, ids, mask, types, labels, mlm_labels)

    d = os.path.join(HERE, "tiny-roberta")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
        f.write("\n")
    state = {k: v.detach().numpy() for k, v in m32.named_parameters()}
    write_safetensors(os.path.join(d, "model.safetensors"), state)

    arrays = [
        ("input_ids", ids.numpy()),
        ("attention_mask", mask.numpy()),
        ("token_type_ids", types.numpy()),
        ("labels", labels.numpy()),
        ("mlm_labels", mlm_labels.numpy()),
    ]
    for k in sorted(o64):
        v = o64[k]
        if k.startswith("grad."):
            v = v.astype(np.float32)  # float64 references rounded once: ample for a 1e-4 bound
        arrays.append((k, v))
    for k in ("last_hidden_state", "cls_logits", "cls_loss", "mlm_logits", "mlm_loss"):
        arrays.append((k + ".f32", o32[k]))
    info = "torch %s; %s; numpy %s; config %s" % (torch.__version__, SCRIPT_VERSION, np.__version__,
                                                   json.dumps(c, sort_keys=True))
    write_fixture(os.path.join(HERE, "fixture.bin"), info, arrays)
    print("cls_loss %.8f mlm_loss %.8f" % (o64["cls_loss"], o64["mlm_loss"]))
    print("max |f32 - f64| last_hidden_state %.3g" % np.abs(o32["last_hidden_state"] - o64["last_hidden_state"]).max())


if __name__ == "__main__":
    main()
