#!/usr/bin/python3
"""Independent PyTorch check of the Java AST engine.

Builds a tiny AST teacher (conditional affine-coupling flow) and student from the
definitions in the paper and the reference facts, written here directly in PyTorch,
with random non-trivial weights (gamma != 0, BatchNorm statistics != identity), runs
them on a random input and saves weights, input and expected outputs. The Java test
AstTorchFixtureTest loads the same weights and must reproduce every output to 1e-4.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/make_torch_fixture.py
Output: src/test/resources/fixtures/ast_torch_fixture.{bin,json}
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")

# A deliberately awkward configuration: odd channel count (uneven split), 5x5 kernel.
CFG = dict(channels=7, positionalChannels=8, flowHidden=5, flowKernels=[3, 3, 3, 5], clampAlpha=1.9,
           studentHidden=6, studentBlocks=2, seed=3, batch=2, height=5, width=6)
MASK64 = (1 << 64) - 1


def permutation(n, seed):
    """Fisher-Yates driven by SplitMix64, the same recipe as CouplingFlow.permutation."""
    p = list(range(n))
    state = seed & MASK64
    for i in range(n - 1, 0, -1):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        z = z ^ (z >> 31)
        j = z % (i + 1)
        p[i], p[j] = p[j], p[i]
    return p


def positional_encoding(d, h, w):
    """Standard 2-D sinusoidal encoding: first half columns, second half rows."""
    pe = torch.zeros(d, h, w, dtype=torch.float64)
    half = d // 2
    freqs = torch.exp(torch.arange(0.0, half, 2, dtype=torch.float64) * -(math.log(10000.0) / half))
    xs = torch.arange(0.0, w, dtype=torch.float64)[:, None] * freqs  # (w, half/2)
    ys = torch.arange(0.0, h, dtype=torch.float64)[:, None] * freqs
    pe[0:half:2] = torch.sin(xs).T[:, None, :].expand(-1, h, -1)
    pe[1:half:2] = torch.cos(xs).T[:, None, :].expand(-1, h, -1)
    pe[half::2] = torch.sin(ys).T[:, :, None].expand(-1, -1, w)
    pe[half + 1::2] = torch.cos(ys).T[:, :, None].expand(-1, -1, w)
    return pe.float()


def main():
    torch.manual_seed(1234)
    c, p = CFG["channels"], CFG["positionalChannels"]
    n, h, w = CFG["batch"], CFG["height"], CFG["width"]
    params = {}

    def conv(name, cin, cout, k):
        params[name + ".weight"] = torch.randn(cout, cin, k, k) * (0.6 / math.sqrt(cin * k * k))
        params[name + ".bias"] = torch.randn(cout) * 0.1

    c1 = c // 2
    c2 = c - c1
    for b, k in enumerate(CFG["flowKernels"]):
        pre = "teacher.blocks.%d." % b
        conv(pre + "s1.conv1", c1 + p, CFG["flowHidden"], k)
        conv(pre + "s1.conv2", CFG["flowHidden"], 2 * c2, k)
        params[pre + "s1.gamma"] = torch.tensor([0.7 + 0.1 * b])
        conv(pre + "s2.conv1", c2 + p, CFG["flowHidden"], k)
        conv(pre + "s2.conv2", CFG["flowHidden"], 2 * c1, k)
        params[pre + "s2.gamma"] = torch.tensor([-0.5 + 0.2 * b])
    hid = CFG["studentHidden"]
    conv("student.conv_in", c + p, hid, 3)
    for b in range(CFG["studentBlocks"]):
        pre = "student.blocks.%d." % b
        for i in (1, 2):
            conv(pre + "conv%d" % i, hid, hid, 3)
            params[pre + "bn%d.weight" % i] = 1 + 0.2 * torch.randn(hid)
            params[pre + "bn%d.bias" % i] = 0.1 * torch.randn(hid)
            params[pre + "bn%d.running_mean" % i] = 0.3 * torch.randn(hid)
            params[pre + "bn%d.running_var" % i] = 0.5 + torch.rand(hid)
    conv("student.conv_out", hid, c, 3)

    x = torch.randn(n, c, h, w)
    cond = positional_encoding(p, h, w)[None].expand(n, -1, -1, -1)
    alpha = CFG["clampAlpha"]

    def subnet(name, inp, k):
        t = F.pad(torch.cat([inp, cond], 1), (k // 2,) * 4, mode="replicate")
        t = F.relu(F.conv2d(t, params[name + ".conv1.weight"], params[name + ".conv1.bias"]))
        t = F.pad(t, (k // 2,) * 4, mode="replicate")
        return F.conv2d(t, params[name + ".conv2.weight"], params[name + ".conv2.bias"]) * params[name + ".gamma"]

    def clamp(s):
        return alpha * 2 / math.pi * torch.atan(s / alpha)

    z = x
    logdet = torch.zeros(n, h, w)
    for b, k in enumerate(CFG["flowKernels"]):
        pre = "teacher.blocks.%d." % b
        z = z[:, permutation(c, CFG["seed"] * 1000003 + b)]
        x1, x2 = z[:, :c1], z[:, c1:]
        r = subnet(pre + "s1", x1, k)
        s1, t1 = clamp(r[:, :c2]), r[:, c2:]
        y2 = x2 * torch.exp(s1) + t1
        r = subnet(pre + "s2", y2, k)
        s2, t2 = clamp(r[:, :c1]), r[:, c1:]
        y1 = x1 * torch.exp(s2) + t2
        logdet = logdet + s1.sum(1) + s2.sum(1)
        z = torch.cat([y1, y2], 1)

    def bn(t, name):
        return F.batch_norm(t, params[name + ".running_mean"], params[name + ".running_var"],
                            params[name + ".weight"], params[name + ".bias"], training=False, eps=1e-5)

    hcur = F.leaky_relu(F.conv2d(torch.cat([cond, x], 1), params["student.conv_in.weight"],
                                 params["student.conv_in.bias"], padding=1), 0.2)
    for b in range(CFG["studentBlocks"]):
        pre = "student.blocks.%d." % b
        r = F.leaky_relu(bn(F.conv2d(hcur, params[pre + "conv1.weight"], params[pre + "conv1.bias"], padding=1), pre + "bn1"), 0.2)
        r = F.leaky_relu(bn(F.conv2d(r, params[pre + "conv2.weight"], params[pre + "conv2.bias"], padding=1), pre + "bn2"), 0.2)
        hcur = hcur + r
    student = F.conv2d(hcur, params["student.conv_out.weight"], params["student.conv_out.bias"], padding=1)

    expected = {
        "fixture.x": x,
        "fixture.pe": cond[0],
        "fixture.z": z,
        "fixture.logdet": logdet,
        "fixture.nll": 0.5 * (z ** 2).sum(1) - logdet,
        "fixture.student": student,
        "fixture.distance": ((z - student) ** 2).mean(1),
    }
    os.makedirs(OUT, exist_ok=True)
    write_tensors(os.path.join(OUT, "ast_torch_fixture.bin"), {**params, **expected})
    with open(os.path.join(OUT, "ast_torch_fixture.json"), "w") as f:
        json.dump(dict(CFG, torch=torch.__version__), f, indent=2)
    print("fixture written:", len(params), "parameters; z[0,0,0,:3] =", z[0, 0, 0, :3].tolist())


def write_tensors(path, tensors):
    """The layout of Java's Params.write (big-endian, DataOutputStream)."""
    with open(path, "wb") as f:
        f.write(struct.pack(">i", len(tensors)))
        for name, t in tensors.items():
            raw = name.encode("utf-8")
            f.write(struct.pack(">H", len(raw)) + raw)
            f.write(struct.pack(">?", not name.startswith("fixture.") and "running" not in name))
            f.write(struct.pack(">i", t.dim()))
            for d in t.shape:
                f.write(struct.pack(">q", d))
            f.write(struct.pack(">%df" % t.numel(), *t.detach().contiguous().view(-1).tolist()))


class TinyBackbone(torch.nn.Module):
    """A small stand-in for an ImageNet CNN: 3 stride-2 convolutions, 16 channels, stride 8."""

    def __init__(self):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(8, 16, 3, stride=2, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 16, 3, stride=2, padding=1))

    def forward(self, x):
        return self.body(x)


def save_tiny_backbones():
    """Two TorchScript backbones with different weights, for the backbone-file tests."""
    for name, seed in (("tiny_backbone.pt", 5), ("tiny_backbone_other.pt", 6)):
        torch.manual_seed(seed)
        module = torch.jit.trace(TinyBackbone().eval(), torch.zeros(1, 3, 64, 64))
        module.save(os.path.join(OUT, name))


if __name__ == "__main__":
    with torch.no_grad():
        main()
        save_tiny_backbones()
