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


ARCHES = {"efficientnet_b5": efficientnet_b5, "resnet18": resnet18, "wide_resnet50_2": wide_resnet50_2,
          "resnet18_pooled": resnet18_pooled}


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("arch", choices=sorted(ARCHES))
    p.add_argument("output", help="TorchScript file to write (e.g. efficientnet_b5_block36.pt)")
    p.add_argument("--size", type=int, default=768, help="image size to check the export with (default 768)")
    p.add_argument("--random-weights", action="store_true", help="do not download ImageNet weights (testing only)")
    args = p.parse_args(argv)

    body, channels, strides = ARCHES[args.arch](not args.random_weights)
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
