#!/usr/bin/python3
"""Reference values for the evaluation metrics, computed independently of the Java code.

Image AUROC and F1-max with scikit-learn; pixel AUROC with scikit-learn; AUPRO by a
brute-force threshold sweep with scipy's connected components (8-connected), integrated
to 30 % FPR and normalised. Also writes an MVTec 3D-AD style xyz TIFF with tifffile.
Run with Debian's python3 (apt-get install python3-sklearn python3-scipy python3-tifffile):
    /usr/bin/python3 scripts/make_metric_fixture.py
"""
import json
import os

import numpy as np
import tifffile
from scipy import ndimage
from sklearn.metrics import precision_recall_curve, roc_auc_score

OUT = os.path.join(os.path.dirname(__file__), "..", "src", "test", "resources", "fixtures")
rng = np.random.default_rng(7)

# image level: scores rounded to one decimal, so many ties
labels = (rng.random(60) < 0.4).astype(int)
scores = np.round(rng.normal(0, 1, 60) + 1.2 * labels, 1)
auroc = roc_auc_score(labels, scores)
p, r, _ = precision_recall_curve(labels, scores)
f1 = np.where(p + r > 0, 2 * p * r / np.maximum(p + r, 1e-12), 0).max()

# pixel level: 4 maps of 20x20, defects of several sizes, one touching only diagonally
size = 20
gts = np.zeros((4, size, size), bool)
gts[0, 3:6, 3:6] = True
gts[0, 6, 6] = True                 # diagonal neighbour: same region under 8-connectivity
gts[1, 10:18, 2:14] = True          # a large region
gts[1, 2, 17] = True                # a one-pixel region
gts[2, 5:9, 12:15] = True
maps = np.round(rng.normal(0, 1, gts.shape) + 1.5 * gts, 1).astype(np.float32)


def aupro(maps, gts, limit=0.3):
    structure = np.ones((3, 3), int)
    comps = []
    for gt in gts:
        lab, n = ndimage.label(gt, structure=structure)
        comps += [lab == k for k in range(1, n + 1)]
    comp_imgs = []
    for i, gt in enumerate(gts):
        lab, n = ndimage.label(gt, structure=structure)
        comp_imgs += [i] * n
    neg = ~gts
    fprs, pros = [0.0], [0.0]
    for t in np.unique(maps)[::-1]:
        pred = maps >= t
        fprs.append((pred & neg).sum() / neg.sum())
        pros.append(np.mean([(pred[i] & c).sum() / c.sum() for i, c in zip(comp_imgs, comps)]))
    fprs, pros = np.array(fprs), np.array(pros)
    k = np.searchsorted(fprs, limit)  # first point at or beyond the limit
    x = list(fprs[:k]) + [limit]
    y = list(pros[:k]) + [pros[k - 1] + (limit - fprs[k - 1]) * (pros[k] - pros[k - 1]) / (fprs[k] - fprs[k - 1])]
    return np.trapz(y, x) / limit, sum(1 for _ in comps)


pro, regions = aupro(maps, gts)
pixel_auroc = roc_auc_score(gts.ravel(), maps.ravel())

fixture = {
    "labels": labels.tolist(), "scores": scores.tolist(), "image_auroc": auroc, "f1_max": f1,
    "size": size, "maps": maps.reshape(4, -1).tolist(), "gts": gts.reshape(4, -1).astype(int).tolist(),
    "pixel_auroc": pixel_auroc, "aupro_30": pro, "regions": regions,
}
with open(os.path.join(OUT, "metrics_fixture.json"), "w") as f:
    json.dump(fixture, f)

# an xyz file as MVTec 3D-AD ships them: float32, H x W x 3, z = 0 where missing
h, w = 6, 5
xyz = np.zeros((h, w, 3), np.float32)
xyz[..., 0] = np.arange(w)[None, :] * 0.001
xyz[..., 1] = np.arange(h)[:, None] * 0.002
xyz[..., 2] = 0.5 + np.arange(h * w).reshape(h, w) * 0.0001
xyz[2, 2, :] = 0
tifffile.imwrite(os.path.join(OUT, "xyz_tifffile.tiff"), xyz)
print("image AUROC %.4f F1-max %.4f pixel AUROC %.4f AUPRO %.4f regions %d" % (auroc, f1, pixel_auroc, pro, regions))
