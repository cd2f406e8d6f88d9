#!/usr/bin/env python3
"""Times the AST authors' own PyTorch code (github.com/marco-rudolph/AST, fetched by whoever
runs this; nothing of it is copied here) on the same images and backbone file as this
project, for scripts/benchmarks/compare_authors.sh. One phase per process, so that the peak memory
(ru_maxrss) is the phase's own:

  compare_authors.py train  --ast-repo DIR --data DIR --backbone FILE.pt --work DIR [--size 384 --epochs 10]
  compare_authors.py detect --ast-repo DIR --data DIR --backbone FILE.pt --work DIR [--size 384]

train runs the authors' feature extraction (preprocess.py), then their train_teacher.train and
train_student.train with their loaders, loss and optimiser, and reports seconds per epoch
(time spent inside the training loader's epochs only; their evaluation pass is left out).
detect loads the saved teacher and student as their eval.py does and scores every test
image one at a time (batch 1) from the image file: features, teacher, student, the
per-pixel score and its bicubic upsampling; it reports the median per image after the first
(warm-up) image and the mean over the whole run.

Their FeatureExtractor asks for `efficientnet_pytorch`, which is not installable here; a
small stand-in module written below gives it torchvision's EfficientNet-B5 with the weights
of the TorchScript backbone file (the same network: stem, then MBConv blocks 1..36).
Output: one JSON line per phase on stdout.
"""
import argparse
import json
import os
import resource
import sys
import time
import types

import torch


def stand_in_efficientnet(backbone_file):
    """A module named efficientnet_pytorch whose EfficientNet.from_pretrained returns the
    attributes the authors' FeatureExtractor reads (_conv_stem, _bn0, _swish, _blocks,
    _global_params), built from torchvision's EfficientNet-B5 and the backbone file's weights."""
    import torchvision

    class Block(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x, drop_connect_rate=None):
            return self.inner(x)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            features = torch.nn.Sequential(*list(torchvision.models.efficientnet_b5().features.children())[:7])
            state = torch.jit.load(backbone_file).state_dict()
            # an export made channels-last (scripts/export_backbone.py) names its weights body.*
            features.load_state_dict({k[5:] if k.startswith("body.") else k: v for k, v in state.items()})
            stem = features[0]
            self._conv_stem, self._bn0, self._swish = stem[0], stem[1], stem[2]
            self._blocks = torch.nn.ModuleList(Block(b) for stage in list(features.children())[1:] for b in stage)
            self._global_params = types.SimpleNamespace(drop_connect_rate=None)

    class EfficientNet:
        @staticmethod
        def from_pretrained(name):
            return Net()

    module = types.ModuleType("efficientnet_pytorch")
    module.EfficientNet = EfficientNet
    return module


def configure(args):
    """The authors' config module, set to the paper's MVTec AD (2-D) setting at this size."""
    sys.path.insert(0, args.ast_repo)
    sys.modules["efficientnet_pytorch"] = stand_in_efficientnet(args.backbone)
    import config as c
    c.device = "cpu"
    c.dataset_dir = args.data
    c.feature_dir = os.path.join(args.work, "features")
    c.use_3D_dataset = False
    c.pre_extracted = True
    c.modelname = "compare"
    c.img_len = args.size
    c.img_size = (args.size, args.size)
    c.img_dims = [3, args.size, args.size]
    c.depth_len = args.size // 4
    c.map_len = args.size // 32
    c.mode = "RGB"
    c.n_feat = c.img_feat_dims
    c.training_mask = c.eval_mask = False
    c.channels_hidden_teacher = 1024  # paper, MVTec AD
    c.clamp = 3.0                     # paper, MVTec AD
    c.meta_epochs, c.sub_epochs = 1, args.epochs
    c.verbose = False
    c.hide_tqdm_bar = True
    c.save_model = True
    c.class_name = sorted(d for d in os.listdir(args.data) if os.path.isdir(os.path.join(args.data, d)))[0]
    torch.manual_seed(0)
    return c


class TimedLoader:
    """Wraps a DataLoader and adds up the time spent inside its epochs."""

    def __init__(self, loader):
        self.loader = loader
        self.epoch_seconds = []

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        start = time.perf_counter()
        for batch in self.loader:
            yield batch
        self.epoch_seconds.append(time.perf_counter() - start)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def train(args):
    c = configure(args)
    os.makedirs(args.work, exist_ok=True)
    os.chdir(args.work)  # their code saves models under ./models
    n_images = sum(len(files) for _, _, files in os.walk(os.path.join(args.data, c.class_name, "train"))) \
        + sum(len(files) for _, _, files in os.walk(os.path.join(args.data, c.class_name, "test")))
    start = time.perf_counter()
    import preprocess  # noqa: F401  (their module extracts and saves every image's features on import)
    extract_s = time.perf_counter() - start

    import utils
    import train_teacher
    import train_student
    result = {"phase": "train", "feature_ms_per_image": 1000 * extract_s / n_images, "threads": torch.get_num_threads()}
    for name, module in (("teacher", train_teacher), ("student", train_student)):
        train_set, test_set = utils.load_datasets(get_mask=False)
        train_loader, test_loader = utils.make_dataloaders(train_set, test_set)
        timed = TimedLoader(train_loader)
        module.train(timed, test_loader)
        result[name + "_s_per_epoch"] = sum(timed.epoch_seconds) / len(timed.epoch_seconds)
        result[name + "_steps_per_epoch"] = len(train_loader)
    result["train_images"] = len(train_set)
    result["peak_rss_mb"] = peak_mb()
    print(json.dumps(result))


def detect(args):
    c = configure(args)
    os.chdir(args.work)
    import numpy as np
    from PIL import Image
    import model as m
    import utils
    start = time.perf_counter()
    extractor = m.FeatureExtractor(layer_idx=c.extract_layer).eval()
    teacher = m.load_weights(m.Model(), "teacher")
    student = m.load_weights(m.Model(nf=not c.asymmetric_student, channels_hidden=c.channels_hidden_student), "student")
    up = torch.nn.Upsample(scale_factor=c.depth_len // c.map_len, mode="bicubic", align_corners=False)
    load_s = time.perf_counter() - start
    from torchvision import transforms
    image_transform = transforms.Compose([transforms.Resize(c.img_size), transforms.ToTensor(),
                                          transforms.Normalize(c.norm_mean, c.norm_std)])
    test_dir = os.path.join(args.data, c.class_name, "test")
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(test_dir) for f in fs)
    depth = torch.zeros(1, 1, c.depth_len, c.depth_len)
    fg = torch.ones(1, 1, c.map_len, c.map_len)
    times, scores, mean_scores = [], [], []
    run_start = time.perf_counter()
    with torch.no_grad():
        for i, f in enumerate(files):
            t0 = time.perf_counter()
            with open(f, "rb") as fh:
                image = image_transform(Image.open(fh).convert("RGB"))[None]
            features = extractor(image)
            z_t, _ = teacher(features, depth)
            z, _ = student(features, depth)
            pixel = up(utils.get_st_loss(z_t, z, fg, per_pixel=True)[:, None])[:, 0]
            scores.append(float(pixel.max()))
            mean_scores.append(float(utils.get_st_loss(z_t, z, fg, per_sample=True)[0]))
            if i > 0:  # the first image warms up
                times.append(time.perf_counter() - t0)
    run_s = time.perf_counter() - run_start
    from sklearn.metrics import roc_auc_score
    labels = [0 if os.path.basename(os.path.dirname(f)) == "good" else 1 for f in files]
    # the same network as the TorchScript file the Java side runs: features compared on one image
    with torch.no_grad(), open(files[0], "rb") as fh:
        image = image_transform(Image.open(fh).convert("RGB"))[None]
        theirs = extractor(image)
        ours = torch.jit.load(args.backbone).eval()(image)
    feature_error = float((theirs - ours).abs().max() / ours.abs().max())
    print(json.dumps({"phase": "detect", "load_s": load_s, "ms_per_image": 1000 * float(np.median(times)),
                      "ms_per_image_run": 1000 * run_s / len(files),
                      "images": len(files), "image_auroc_max": float(roc_auc_score(labels, scores)),
                      "image_auroc_mean": float(roc_auc_score(labels, mean_scores)),
                      "feature_max_relative_error": feature_error,
                      "threads": torch.get_num_threads(), "peak_rss_mb": peak_mb()}))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("phase", choices=["train", "detect"])
    p.add_argument("--ast-repo", required=True, help="a checkout of github.com/marco-rudolph/AST")
    p.add_argument("--data", required=True, help="folder holding one category folder (train/good, test/...)")
    p.add_argument("--backbone", required=True, help="EfficientNet-B5 TorchScript file (scripts/export_backbone.py)")
    p.add_argument("--work", required=True, help="folder for their features and models")
    p.add_argument("--size", type=int, default=384)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args(argv)
    for path in (args.ast_repo, args.data):
        if not os.path.isdir(path):
            sys.exit("not a folder: " + path)
    args.ast_repo, args.data, args.work, args.backbone = (os.path.abspath(p) for p in
                                                          (args.ast_repo, args.data, args.work, args.backbone))
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    train(args) if args.phase == "train" else detect(args)


if __name__ == "__main__":
    main(sys.argv[1:])
