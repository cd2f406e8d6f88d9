#!/usr/bin/env python3
"""Export an ImageNet backbone as TorchScript for AST for Fiji (run once, where there is internet).

AST uses a frozen ImageNet CNN truncated to one feature map; Reverse Distillation uses
three maps of one (its encoder). This script downloads the pretrained weights through
torchvision, cuts the network, checks the output shapes and saves a TorchScript file
that the plugin loads offline (Train AST > backbone, or `train --backbone FILE`). Keep
the file: a model remembers its SHA-256 and refuses any other backbone.

  python3 export_backbone.py efficientnet_b5 efficientnet_b5_block36.pt        # AST's backbone (paper)
  python3 export_backbone.py resnet18 resnet18_layer3.pt                        # lighter, for CPUs
  python3 export_backbone.py wide_resnet50_2 wide_resnet50_2_layers123.pt --size 256   # RD's encoder (paper)
  python3 export_backbone.py resnet18_pooled resnet18_pooled.pt --size 65              # US teacher target (paper)

Architectures:
  efficientnet_b5  stem + MBConv blocks 1..36 (torchvision features[0:7]):
                   304 channels, stride 32 (24x24 at 768 px), as in Rudolph et al. 2023.
  resnet18         conv1 .. layer3: 256 channels, stride 16; about 10x cheaper.
  wide_resnet50_2  returns (layer1, layer2, layer3): 256, 512, 1024 channels at strides
                   4, 8, 16 (64, 32, 16 px maps at 256 px), as in Deng and Li 2022.
  resnet18_pooled  the whole ResNet-18 up to its global average pooling: a 512-d
                   descriptor (as N x 512 x 1 x 1) of any input; what make-us-teacher
                   distils Uninformed Students' teachers from (Bergmann et al. 2020).

Requires torch and torchvision (pip install torch torchvision). --random-weights skips
the download (for testing the export itself; such a backbone is not useful for detection).
"""
import argparse
import sys

import torch
import torchvision


def efficientnet_b5(pretrained):
    weights = torchvision.models.EfficientNet_B5_Weights.IMAGENET1K_V1 if pretrained else None
    net = torchvision.models.efficientnet_b5(weights=weights)
    # features[0] is the stem; features[1..6] hold MBConv blocks 1..36 (3+5+5+7+7+9).
    return torch.nn.Sequential(*list(net.features.children())[:7]), 304, 32


def resnet18(pretrained):
    weights = torchvision.models.ResNet18_Weights.IMAGENET1K_V1 if pretrained else None
    net = torchvision.models.resnet18(weights=weights)
    body = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3)
    return body, 256, 16


class ThreeScales(torch.nn.Module):
    """A ResNet's stem and layers 1-3, returning all three layers' maps (shallowest first)."""

    def __init__(self, net):
        super().__init__()
        self.stem = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool)
        self.layer1, self.layer2, self.layer3 = net.layer1, net.layer2, net.layer3

    def forward(self, x):
        a = self.layer1(self.stem(x))
        b = self.layer2(a)
        return a, b, self.layer3(b)


def wide_resnet50_2(pretrained):
    weights = torchvision.models.Wide_ResNet50_2_Weights.IMAGENET1K_V1 if pretrained else None
    return ThreeScales(torchvision.models.wide_resnet50_2(weights=weights)), [256, 512, 1024], [4, 8, 16]


def resnet18_pooled(pretrained):
    weights = torchvision.models.ResNet18_Weights.IMAGENET1K_V1 if pretrained else None
    net = torchvision.models.resnet18(weights=weights)
    body = torch.nn.Sequential(net.conv1, net.bn1, net.relu, net.maxpool, net.layer1, net.layer2, net.layer3, net.layer4,
                               torch.nn.AdaptiveAvgPool2d(1))
    return body, 512, None


class ChannelsLast(torch.nn.Module):
    """Runs the network on channels-last tensors and returns ordinary (contiguous) maps.
    Measured in the plugin's PyTorch 2.7 on 2 CPU cores: EfficientNet-B5 to block 36 at
    384 px took 86 ms per image instead of 102 (BENCHMARKS.md, Speed and memory)."""

    def __init__(self, body):
        super().__init__()
        self.body = body.to(memory_format=torch.channels_last)

    def forward(self, x):
        out = self.body(x.contiguous(memory_format=torch.channels_last))
        if isinstance(out, tuple):
            return tuple(o.contiguous() for o in out)
        return out.contiguous()


ARCHES = {"efficientnet_b5": efficientnet_b5, "resnet18": resnet18, "wide_resnet50_2": wide_resnet50_2,
          "resnet18_pooled": resnet18_pooled}


def recalibrate_batch_norm(body, folder, size):
    """One pass in training mode with cumulative averaging: every batch-norm layer's running
    statistics become those of its inputs on these images (ImageNet normalisation)."""
    import os
    import numpy as np
    from PIL import Image
    files = sorted(f for f in os.listdir(folder) if f.lower().endswith((".png", ".jpg", ".jpeg", ".tif", ".tiff")))[:32]
    if not files:
        sys.exit("no images in " + folder)
    mean = torch.tensor([0.485, 0.456, 0.406])[:, None, None]
    std = torch.tensor([0.229, 0.224, 0.225])[:, None, None]
    batch = []
    for f in files:
        im = Image.open(os.path.join(folder, f)).convert("RGB").resize((size, size), Image.BILINEAR)
        batch.append((torch.from_numpy(np.asarray(im, dtype=np.float32) / 255).permute(2, 0, 1) - mean) / std)
    for m in body.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None
    body.train()
    with torch.no_grad():
        body(torch.stack(batch))
    print("batch-norm statistics set from %d images of %s" % (len(batch), folder))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", choices=sorted(ARCHES))
    p.add_argument("output", help="TorchScript file to write (e.g. efficientnet_b5_block36.pt)")
    p.add_argument("--size", type=int, default=768, help="image size to check the export with (default 768)")
    p.add_argument("--random-weights", action="store_true", help="do not download ImageNet weights (testing only)")
    p.add_argument("--bn-images", metavar="FOLDER",
                   help="with --random-weights: set the batch-norm statistics from these images, so that features keep "
                        "a unit scale (an untrained EfficientNet's otherwise shrink to about 1e-12: useless even for timing)")
    p.add_argument("--memory-format", choices=["channels_last", "contiguous"], default="channels_last",
                   help="how the exported network lays out its maps (default channels_last: faster on CPUs)")
    args = p.parse_args(argv)

    if args.random_weights:
        torch.manual_seed(0)  # the same file every time, for comparisons
    body, channels, strides = ARCHES[args.arch](not args.random_weights)
    if args.bn_images:
        recalibrate_batch_norm(body, args.bn_images, args.size)
    if args.memory_format == "channels_last":
        body = ChannelsLast(body)
    channels = channels if isinstance(channels, list) else [channels]
    strides = strides if isinstance(strides, list) else [strides]
    body.eval()
    example = torch.zeros(1, 3, args.size, args.size)
    with torch.no_grad():
        traced = torch.jit.trace(body, example)
        out = traced(example)
    outs = list(out) if isinstance(out, tuple) else [out]
    for o, c, s in zip(outs, channels, strides):
        expected = (1, c, 1, 1) if s is None else (1, c, args.size // s, args.size // s)
        if tuple(o.shape) != expected or len(outs) != len(channels):
            sys.exit("unexpected output shape %s, expected %s" % (tuple(o.shape), expected))
    traced.save(args.output)
    print("wrote %s: channels %s at strides %s (maps of %s px at %d px)"
          % (args.output, channels, strides, [1 if s is None else args.size // s for s in strides], args.size))


if __name__ == "__main__":
    main(sys.argv[1:])
