#!/usr/bin/python3
"""Independent PyTorch check of the Java Uninformed Students networks and score.

Builds the three patch networks (17, 33, 65 px; the layer lists of the paper's
supplementary as the community re-implementations read it) with narrow random weights,
a teacher and two students per patch size, random standardisation and score statistics,
and one random image. The dense descriptors are computed the slow, obviously right way:
every pixel's patch of the reflect-padded image is cut out (F.unfold) and run through
the ordinary patch network with stride-2 max pooling, one patch at a time in a batch.
The Java test UsTorchFixtureTest must reproduce the teacher's dense descriptors, the
students' patch-wise outputs and the anomaly map (standardised regression error plus
standardised predictive variance, averaged over the patch sizes) to 1e-4.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/make_us_fixture.py
Output: src/test/resources/fixtures/us_torch_fixture.{bin,json}
"""
import json
import os

import torch
import torch.nn.functional as F

from make_torch_fixture import write_tensors

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")
CFG = dict(patchSizes=[17, 33, 65], widthFactor=0.0625, descriptorDim=8, students=2, height=36, width=40)
SLOPE = 5e-3


def layers(p, w128, w256, d):
    """(kernel, out) per convolution, None for a 2x2 stride-2 max pooling."""
    if p == 17:
        return [(6, w128), (5, w256), (5, w256), (4, d)]
    if p == 33:
        return [(5, w128), None, (5, w256), None, (2, w256), (4, d)]
    return [(5, w128), None, (5, w128), None, (5, w128), None, (4, w256), (1, d)]


def main():
    torch.manual_seed(2024)
    wf, d, m = CFG["widthFactor"], CFG["descriptorDim"], CFG["students"]
    w128, w256 = round(128 * wf), round(256 * wf)
    h, w = CFG["height"], CFG["width"]
    params = {}
    image = torch.randn(1, 3, h, w)
    expected = {"fixture.image": image}
    total = 0

    for p in CFG["patchSizes"]:
        spec = layers(p, w128, w256, d)

        def make(prefix):
            cin, k = 3, 0
            for layer in spec:
                if layer is None:
                    continue
                kernel, out = layer
                params["%s.conv%d.weight" % (prefix, k)] = torch.randn(out, cin, kernel, kernel) / (cin * kernel * kernel) ** 0.5
                params["%s.conv%d.bias" % (prefix, k)] = 0.1 * torch.randn(out)
                cin, k = out, k + 1

        def run(prefix, x):
            convs = sum(1 for layer in spec if layer is not None)
            k = 0
            for layer in spec:
                if layer is None:
                    x = F.max_pool2d(x, 2, 2)
                    continue
                x = F.conv2d(x, params["%s.conv%d.weight" % (prefix, k)], params["%s.conv%d.bias" % (prefix, k)])
                k += 1
                if k < convs:
                    x = F.leaky_relu(x, SLOPE)
            return x.reshape(x.shape[0], -1)

        make("teacher.%d" % p)
        for i in range(m):
            make("student.%d.%d" % (p, i))
        params["norm.%d.mean" % p] = 0.5 * torch.randn(1, d, 1, 1)
        params["norm.%d.std" % p] = 0.5 + torch.rand(1, d, 1, 1)
        stats = torch.tensor([2.0 + torch.rand(1).item(), 0.5 + torch.rand(1).item(), 1.0 + torch.rand(1).item(),
                              0.3 + torch.rand(1).item()])
        params["score.%d.stats" % p] = stats

        padded = F.pad(image, (p // 2, (p - 1) // 2, p // 2, (p - 1) // 2), mode="reflect")
        patches = F.unfold(padded, p).transpose(1, 2).reshape(h * w, 3, p, p)  # row-major pixel order

        def dense(prefix):
            return run(prefix, patches).T.reshape(1, d, h, w)

        teacher = dense("teacher.%d" % p)
        target = (teacher - params["norm.%d.mean" % p]) / params["norm.%d.std" % p]
        outs = [dense("student.%d.%d" % (p, i)) for i in range(m)]
        mean = sum(outs) / m
        error = ((mean - target) ** 2).sum(1)
        variance = sum((o ** 2).sum(1) for o in outs) / m - (mean ** 2).sum(1)
        total = total + (error - stats[0]) / stats[1] + (variance - stats[2]) / stats[3]
        expected["fixture.teacher%d" % p] = teacher
        expected["fixture.error%d" % p] = error
        expected["fixture.variance%d" % p] = variance
        # the patch-wise network on three patches, for the patch mode on its own
        few = padded[:, :, 0:p, 0:p].repeat(3, 1, 1, 1)
        few[1] = padded[0, :, 5:5 + p, 7:7 + p]
        few[2] = padded[0, :, h - 1:h - 1 + p, w - 1:w - 1 + p]
        expected["fixture.patches%d" % p] = few
        expected["fixture.student%dPatches" % p] = run("student.%d.0" % p, few)

    expected["fixture.map"] = total / len(CFG["patchSizes"])
    os.makedirs(OUT, exist_ok=True)
    write_tensors(os.path.join(OUT, "us_torch_fixture.bin"), {**params, **expected})
    with open(os.path.join(OUT, "us_torch_fixture.json"), "w") as f:
        json.dump(dict(CFG, torch=torch.__version__), f, indent=2)
    print("US fixture written:", len(params), "parameters; map mean", float(expected["fixture.map"].mean()))


if __name__ == "__main__":
    with torch.no_grad():
        main()
