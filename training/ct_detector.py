"""The CT detector of `auto` mode: was a CT slice made by larger detector pixels (blur + block means: the `area`
path) or by resampling (antialiased bicubic: the `bicubic` path)?

Both put LR pixel i at HR pixel s i + (s - 1) / 2, so a wrong call costs less than on MR, but not the same both
ways (model 2.8.0, both told paths on every input): an area input on the resampled path keeps +1.3 to +1.5 dB at
x2 on the external CT slices where the area path gives +1.7 and +5.4, while a smooth resampled input on the area
path loses 4.7 dB (the Hitachi slice, x2). Model 2.8.0 therefore routed all CT to the resampled path. This
reader lets area inputs take their own path when it is sure (THRESHOLD), and keeps every other CT slice on the
resampled one.

The reader is the MR detector's mean reader (detector.DetectorNet: four 3 x 3 convolutions, the logits averaged
over the slice, one head per scale), trained on other pairs: LR patches of the training CT volume and of the
photographs (mapped to CT-like values), zoomed (the training CT's 0.96 mm pixels are coarse beside a clinical
512-matrix head or a small FOV), some blurred as soft kernels are, with the noise real CT carries before and after
the detector's averaging, and stored as CT files store them (signed integers).
"""
import math

import torch
import torch.nn.functional as F

import degrade as D
import detector as DET
from seeded import Seeded

# P(area) at or above which a CT slice takes the area path. A resampled input sent there loses several dB, an
# area input kept on the resampled path only misses some gain: the call must be sure. On validation and the
# external CT (card notes) resampled inputs scored at most 0.46 (lossy 693_J2KI) and the detector-pixel inputs it was
# sure of 0.99 and up; the rest (the smooth GE slice, 693_J2KI) scored the same for both inputs.
THRESHOLD = 0.7
PATH_IF_SURE, PATH_OTHERWISE = "area", "bicubic"
MODALITIES = ("CT",)
PATCH = 48                     # LR training patch side
STAGE = ("ct_detector", 7)     # checkpoint name, seed offset
PHOTO_SHARE = 0.3              # photographs: other textures than one head CT's


class PairSampler(Seeded):
    """Random (LR patch, is area) pairs from the training CT and the photographs; its RNG state is checkpointed."""

    def __init__(self, arrays, meta, seed):
        pool = [(torch.from_numpy(a)[None, None].float(), m["modality"]) for a, m in zip(arrays, meta["slices"])
                if m["split"] == "train" and m["modality"] in ("CT", "PHOTO")]
        self.ct = [x for x, mod in pool if mod == "CT"]
        self.photos = [x for x, mod in pool if mod == "PHOTO"]
        super().__init__(seed)

    def hr(self, s, patch):
        """An HR crop in CT units, at least s * patch on a side."""
        r = self.rng
        photo = self.photos and r.random() < PHOTO_SHARE
        x = (self.photos if photo else self.ct)[r.randrange(len(self.photos if photo else self.ct))]
        if photo:   # a tissue-like intensity curve over air (-1000) to bone
            x = (x - x.min()) / (x.max() - x.min()).clamp(min=1e-6)
            x = -1000 + r.uniform(1000, 3000) * x ** r.uniform(0.5, 2.0)
        n = s * patch
        # clinical pixels are finer than the training CT's 0.96 mm (zoom in) or coarser (a downsized file: zoom out)
        zoom = max(math.exp(r.uniform(math.log(0.7), math.log(2.5))), n / (min(x.shape[-2:]) - 4))
        side = math.ceil(n / zoom) + 4
        i, j = r.randrange(0, x.shape[-2] - side + 1), r.randrange(0, x.shape[-1] - side + 1)
        x = F.interpolate(x[..., i:i + side, j:j + side], scale_factor=zoom, mode="bicubic", align_corners=False,
                          antialias=zoom < 1)
        if r.random() < 0.3:    # soft reconstruction kernels
            x = D.gaussian_blur(x, r.uniform(0.3, 1.2))
        if r.random() < 0.5:    # the quantum noise of the acquisition, there before any averaging
            x = x + r.uniform(2, 25) * torch.randn(x.shape, generator=self.gen)
        return x[..., :n, :n]

    def pair(self, s, patch=PATCH):
        r = self.rng
        hr = self.hr(s, patch)
        area = r.random() < 0.5
        lr = D.area_down(hr, s, r.uniform(0.0, 1.0)) if area else D.bicubic_down(hr, s)
        if r.random() < 0.3:
            lr = lr + r.uniform(1, 10) * torch.randn(lr.shape, generator=self.gen)
        lr = D.stored(lr, "CT")
        return lr - lr.min(), float(area)  # as DetectorGraph does to the whole slice

    def batch(self, n, s):
        xs, ys = zip(*(self.pair(s) for _ in range(n)))
        return torch.cat(xs), torch.tensor(ys)


def build():
    return DET.DetectorNet("mean")


def params(iterations, train_accuracy):
    """The manifest's `ct_detector` entry (the graph is `ct_detector.onnx`; its logits are P(area)'s)."""
    return {"kind": "cnn", "graph": "ct_detector", "scales": [str(s) for s in DET.SCALES], "min_side": DET.MIN_SIDE,
            "fallback": PATH_OTHERWISE, "modalities": list(MODALITIES), "routes": {}, "threshold": THRESHOLD,
            "classes": [PATH_IF_SURE, PATH_OTHERWISE], "train_iterations": iterations, "train_accuracy": train_accuracy}


def decide(net, lr, s):
    """The path `auto` takes for a CT slice and P(area) (None when the slice is too small to judge)."""
    p = DET.probability(net, lr, s) if s in DET.SCALES else None
    if p is None:
        return PATH_OTHERWISE, None
    return (PATH_IF_SURE if p >= THRESHOLD else PATH_OTHERWISE), p
