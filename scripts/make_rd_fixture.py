#!/usr/bin/python3
"""Independent PyTorch check of the Java Reverse Distillation networks.

Builds a small one-class bottleneck (OCBE) and decoder with the shapes of the RD4AD
architecture (Deng and Li, CVPR 2022; facts in shared/reference/method-family-facts.md),
written here directly with torch.nn.functional, with random non-trivial weights and
BatchNorm statistics, runs them on random encoder maps and saves weights, inputs and
expected outputs: the decoder maps in inference and in training mode (batch statistics),
both losses, a running statistic after the training step, and the smoothed anomaly map.
The Java test RdTorchFixtureTest must reproduce every output to 1e-4.

The transposed convolutions use PyTorch's own conv_transpose2d, so the Java side's
1x1-convolution-plus-shuffle formulation is checked against the real operator.

Run with Debian's PyTorch:  /usr/bin/python3 scripts/make_rd_fixture.py
Output: src/test/resources/fixtures/rd_torch_fixture.{bin,json}
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import gaussian_filter

from make_torch_fixture import write_tensors

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")

# Uneven channel counts (not doubling) and mixed block counts, so that a swapped index shows.
CFG = dict(channels=[8, 12, 16], strides=[4, 8, 16], imageSize=64, widthFactor=2, bottleneckBlocks=2,
           decoderBlocks=[2, 1, 2], mapSigma=4.0, batch=2)
EXPANSION = 4


def main():
    torch.manual_seed(4321)
    c1, c2, c3 = CFG["channels"]
    params = {}

    def conv(name, cin, cout, k):
        params[name + ".weight"] = torch.randn(cout, cin, k, k) * (1.0 / (cin * k * k) ** 0.5)

    def deconv(name, cin, cout):
        params[name + ".weight"] = torch.randn(cin, cout, 2, 2) * (1.0 / (cout * 4) ** 0.5)

    def bn(name, c):
        params[name + ".weight"] = 1 + 0.2 * torch.randn(c)
        params[name + ".bias"] = 0.1 * torch.randn(c)
        params[name + ".running_mean"] = 0.3 * torch.randn(c)
        params[name + ".running_var"] = 0.5 + torch.rand(c)

    def add_block(name, cin, planes, resample, decoder):
        width = planes * CFG["widthFactor"]
        out = planes * EXPANSION
        conv(name + ".conv1", cin, width, 1)
        bn(name + ".bn1", width)
        if resample and decoder:
            deconv(name + ".conv2", width, width)
        else:
            conv(name + ".conv2", width, width, 3)
        bn(name + ".bn2", width)
        conv(name + ".conv3", width, out, 1)
        bn(name + ".bn3", out)
        if resample:
            if decoder:
                deconv(name + ".upsample.0", cin, out)
                bn(name + ".upsample.1", out)
            else:
                conv(name + ".downsample.0", cin, out, 1)
                bn(name + ".downsample.1", out)
        return out

    conv("bn.conv1", c1, c2, 3)
    bn("bn.bn1", c2)
    conv("bn.conv2", c2, c3, 3)
    bn("bn.bn2", c3)
    conv("bn.conv3", c2, c3, 3)
    bn("bn.bn3", c3)
    cin = 3 * c3
    for b in range(CFG["bottleneckBlocks"]):
        cin = add_block("bn.bn_layer.%d" % b, cin, c3 // 2, b == 0, False)
    outs = [c3, c2, c1]
    for stage in range(3):
        for b in range(CFG["decoderBlocks"][stage]):
            cin = add_block("decoder.layer%d.%d" % (stage + 1, b), cin, outs[stage] // EXPANSION, b == 0, True)

    n, size = CFG["batch"], CFG["imageSize"]
    enc = [torch.randn(n, c, size // s, size // s) for c, s in zip(CFG["channels"], CFG["strides"])]

    def run(training, p):
        def batchnorm(t, name):
            return F.batch_norm(t, p[name + ".running_mean"], p[name + ".running_var"], p[name + ".weight"],
                                p[name + ".bias"], training=training, momentum=0.1, eps=1e-5)

        def block(name, x, resample, decoder):
            h = F.relu(batchnorm(F.conv2d(x, p[name + ".conv1.weight"]), name + ".bn1"))
            if resample and decoder:
                h = F.conv_transpose2d(h, p[name + ".conv2.weight"], stride=2)
            else:
                h = F.conv2d(h, p[name + ".conv2.weight"], stride=2 if resample else 1, padding=1)
            h = F.relu(batchnorm(h, name + ".bn2"))
            h = batchnorm(F.conv2d(h, p[name + ".conv3.weight"]), name + ".bn3")
            shortcut = x
            if resample and decoder:
                shortcut = batchnorm(F.conv_transpose2d(x, p[name + ".upsample.0.weight"], stride=2), name + ".upsample.1")
            elif resample:
                shortcut = batchnorm(F.conv2d(x, p[name + ".downsample.0.weight"], stride=2), name + ".downsample.1")
            return F.relu(h + shortcut)

        l1 = F.relu(batchnorm(F.conv2d(enc[0], p["bn.conv1.weight"], stride=2, padding=1), "bn.bn1"))
        l1 = F.relu(batchnorm(F.conv2d(l1, p["bn.conv2.weight"], stride=2, padding=1), "bn.bn2"))
        l2 = F.relu(batchnorm(F.conv2d(enc[1], p["bn.conv3.weight"], stride=2, padding=1), "bn.bn3"))
        h = torch.cat([l1, l2, enc[2]], 1)
        for b in range(CFG["bottleneckBlocks"]):
            h = block("bn.bn_layer.%d" % b, h, b == 0, False)
        code = h
        dec = [None, None, None]
        for stage in range(3):
            for b in range(CFG["decoderBlocks"][stage]):
                h = block("decoder.layer%d.%d" % (stage + 1, b), h, b == 0, True)
            dec[2 - stage] = h
        return code, dec

    def loss(dec):
        total = 0
        for e, d in zip(enc, dec):
            total = total + torch.mean(1 - F.cosine_similarity(e.view(e.shape[0], -1), d.view(d.shape[0], -1)))
        return total

    code, dec = run(False, params)
    train_params = {k: v.clone() for k, v in params.items()}  # the training pass updates running statistics
    _, dec_train = run(True, train_params)

    amap = np.zeros((n, size, size))
    for e, d in zip(enc, dec):
        a = (1 - F.cosine_similarity(e, d))[:, None]
        amap += F.interpolate(a, size=size, mode="bilinear", align_corners=True)[:, 0].double().numpy()
    smoothed = np.stack([gaussian_filter(amap[i], sigma=CFG["mapSigma"]) for i in range(n)])

    expected = {"fixture.e%d" % (i + 1): enc[i] for i in range(3)}
    expected.update({"fixture.code": code, "fixture.loss": loss(dec).reshape(1), "fixture.lossTrain": loss(dec_train).reshape(1),
                     "fixture.map": torch.from_numpy(smoothed).float(),
                     "fixture.runningMeanAfterTraining": train_params["decoder.layer1.0.bn1.running_mean"]})
    for i in range(3):
        expected["fixture.d%d" % (i + 1)] = dec[i]
        expected["fixture.d%dTrain" % (i + 1)] = dec_train[i]
    os.makedirs(OUT, exist_ok=True)
    write_tensors(os.path.join(OUT, "rd_torch_fixture.bin"), {**params, **expected})
    with open(os.path.join(OUT, "rd_torch_fixture.json"), "w") as f:
        json.dump(dict(CFG, torch=torch.__version__), f, indent=2)
    print("RD fixture written:", len(params), "parameters; loss", float(loss(dec)), "train loss", float(loss(dec_train)))


class TinyPyramid(torch.nn.Module):
    """A small stand-in for a multi-scale ImageNet encoder: maps of 8, 12, 16 channels at strides 4, 8, 16."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, stride=2, padding=1), torch.nn.ReLU(),
                                        torch.nn.Conv2d(8, 8, 3, stride=2, padding=1), torch.nn.ReLU())
        self.down1 = torch.nn.Sequential(torch.nn.Conv2d(8, 12, 3, stride=2, padding=1), torch.nn.ReLU())
        self.down2 = torch.nn.Sequential(torch.nn.Conv2d(12, 16, 3, stride=2, padding=1), torch.nn.ReLU())

    def forward(self, x):
        a = self.stem(x)
        b = self.down1(a)
        return a, b, self.down2(b)


def save_tiny_pyramid():
    """A three-output TorchScript backbone, for the multi-scale backbone-file tests."""
    torch.manual_seed(7)
    module = torch.jit.trace(TinyPyramid().eval(), torch.zeros(1, 3, 64, 64))
    module.save(os.path.join(OUT, "tiny_pyramid.pt"))


if __name__ == "__main__":
    with torch.no_grad():
        main()
        save_tiny_pyramid()
