"""The resampler detector of the resampled MR path (told or routed there): was an MR slice made by a Gaussian
antialiasing filter and a cubic spline (scikit-image's `resize` / `rescale` with `anti_aliasing`, order 3), or by
the contract's antialiased bicubic (PyTorch's, PIL's) or a filter like it?

The resampled path's exact projection is only right for the operator that made the input. Told, on the MR
validation subjects at x2 (gain over the best classical baseline), Gaussian + spline inputs score -0.18 dB projected
onto the contract's bicubic and +0.70 dB onto their own operator, while contract inputs lose 0.49 dB on the
Gaussian's. Projected onto the two blended (weights 0.7 / 0.3, 0.5 / 0.5), Gaussian + spline inputs score +0.38 /
+0.56 dB, contract inputs +1.75 / +1.64 (against +1.85). So the path projects onto the two blended by this reader's
P(Gaussian + spline) (`share`, degrade.resampled_down): the operator that made the slice, in expectation; an unsure
reader costs a contract input about a tenth of a dB (card notes).

The reader is the MR detector's mean reader (detector.DetectorNet), trained on LR patches of the training
acquisitions and photographs (noisy magnitudes, masked backgrounds, smoothed copies, as detector.py draws them)
made by the Gaussian + spline downsampler or by one of the others (the contract's bicubic, PIL's Lanczos,
antialiased bilinear), clipped at 0 as an unsigned file stores them.
"""
import math

import torch

import degrade as D
import detector as DET
from seeded import Seeded

MODALITIES = ("MR",)
# the scales it judges: at x4 the two look alike in the LR, and the operator matters less (told, Gaussian + spline
# inputs: +1.48 dB on the contract's operator, +1.69 on their own; contract inputs on the Gaussian's: -0.38)
SCALES = (2,)
PATCH = 48                            # LR training patch side (32: the CT reader's first runs did not learn)
STAGE = ("resampler_detector", 8)     # checkpoint name, seed offset
# the other class: who else makes resampled inputs, and how often
OTHERS = (("bicubic", 0.6), ("lanczos", 0.2), ("bilinear", 0.2))


def _other(x, s, u):
    for name, share in OTHERS:
        if u < share:
            return D.bicubic_down(x, s) if name == "bicubic" else D.OTHER_RESAMPLERS[name](x, s)
        u -= share
    return D.bicubic_down(x, s)


class PairSampler(Seeded):
    """Random (LR patch, made by the Gaussian + spline) pairs; its RNG state is checkpointed."""

    def __init__(self, arrays, meta, seed):
        self.pool = [(torch.from_numpy(a)[None, None], m) for a, m in zip(arrays, meta["slices"])
                     if m["split"] == "train" and (m["subject"] in DET.TRAIN_SUBJECTS or m["subject"] in DET.PHOTO_SUBJECTS)]
        super().__init__(seed)

    def hr(self, s, patch):
        """An HR crop of s * (patch + 16) on a side or the whole slice, drawn and varied as the MR detector draws its slices."""
        r = self.rng
        x, m = DET.drawn(self.pool, r, s * patch)
        H, W = x.shape[-2:]
        # a crop a little larger than the patch (the filters' borders stay outside it): the patch is what is read
        h, w = min(H, s * (patch + 16)) // s * s, min(W, s * (patch + 16)) // s * s
        i, j = r.randrange(0, H - h + 1), r.randrange(0, W - w + 1)
        x = x[..., i:i + h, j:j + w]
        if m["modality"] == "PHOTO":
            x = ((x - x.min()) / (x.max() - x.min()).clamp(min=1e-6)) ** r.uniform(0.5, 2.0)
        if r.random() < DET.SMOOTHED:
            x = D.gaussian_blur(x, r.uniform(0.4, 1.5)).clamp(min=0)
        level = float(torch.quantile(x.flatten()[::7], 0.995).clamp(min=1e-6))
        if r.random() < 0.85:     # noisy magnitude images, sigma 0.2-6% of the bright level
            x, _ = D.magnitude_with_noise(x, level * math.exp(r.uniform(math.log(0.002), math.log(0.06))), self.gen)
        if r.random() < DET.MASKED:
            x = DET.masked(x, level * r.uniform(0.02, 0.2))
        return x

    def pair(self, s, patch=PATCH):
        r = self.rng
        x = self.hr(s, patch)
        gaussian = r.random() < 0.5
        lr = (D.gaussian_spline_down(x, s) if gaussian else _other(x, s, r.random())).clamp(min=0)
        lr = lr - lr.min()          # as DetectorGraph does to the whole slice
        a, b = (lr.shape[-2] - patch) // 2, (lr.shape[-1] - patch) // 2
        return lr[..., a:a + patch, b:b + patch], float(gaussian)

    def batch(self, n, s):
        xs, ys = zip(*(self.pair(s) for _ in range(n)))
        return torch.cat(xs), torch.tensor(ys)


def build():
    return DET.DetectorNet("mean", scales=SCALES)


def share(net, lr, s, modality, mode):
    """The resampled path's share of the Gaussian + spline in its operator for one LR slice (degrade.resampled_down):
    the reader's P(Gaussian + spline), or 0 where it does not judge (another path, modality or scale, no reader, a
    slice too small to read)."""
    if net is None or mode != "bicubic" or modality not in MODALITIES or s not in SCALES:
        return 0.0
    p = DET.probability(net, lr, s, SCALES)
    return 0.0 if p is None else p


def params(iterations, train_accuracy):
    """The manifest's `resampler_detector` entry (the graph is `resampler_detector.onnx`; its logits are P(Gaussian +
    spline)'s)."""
    return {"kind": "cnn", "graph": "resampler_detector", "scales": [str(s) for s in SCALES], "min_side": DET.MIN_SIDE,
            "modalities": list(MODALITIES), "classes": ["gaussian-spline", "bicubic"], "train_iterations": iterations,
            "train_accuracy": train_accuracy}
