"""Augmentations shared by the samplers of several stages (train.Sampler, detector.PairSampler): each takes the
sampler's own RNG, so a stage's draws stay reproducible and resumable with it."""
import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

ZOOM = (1.3, 2.2)
# the tissue contrast remap: knots of a piecewise-linear curve over intensity / the slice's 99.5th percentile,
# smoothed by a Gaussian of CONTRAST_SMOOTH (so that no tissue boundary becomes a crease)
CONTRAST_KNOTS = (0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.2)
CONTRAST_SMOOTH = 0.05


def zoomed(x, r):
    """x [1, 1, H, W] enlarged by a bicubic zoom of ZOOM, cut back to its own size at a random place: finer pixels, the
    same field of view per patch shrunk (as a PACS's or scanner's non-Fourier zoom, or a 0.4-0.5 mm matrix, looks)."""
    H, W = x.shape[-2:]
    z = F.interpolate(x, scale_factor=r.uniform(*ZOOM), mode="bicubic", align_corners=False)
    i, j = r.randrange(0, z.shape[-2] - H + 1), r.randrange(0, z.shape[-1] - W + 1)
    return z[..., i:i + H, j:j + W].clamp(min=float(x.min()))


def another_contrast(x, r):
    """An MR slice with another tissue contrast: its intensities through a smooth random curve that keeps the dark
    background dark and may reorder the tissues above it (white matter darker than grey, as in PD, T2 and FLAIR
    scans, which the training MR, mostly T1, lack). The scale stays the slice's own."""
    v = x.flatten()
    hi = float(torch.quantile(v[:: max(1, v.numel() // 20000)], 0.995))
    if hi <= 0:
        return x
    knots = np.array(CONTRAST_KNOTS)
    values = [0.0, r.uniform(0.0, 0.12)] + [r.uniform(0.1, 1.0) for _ in knots[2:]]
    grid = np.linspace(0.0, knots[-1], 241)
    curve = ndimage.gaussian_filter1d(np.interp(grid, knots, values), CONTRAST_SMOOTH / (grid[1] - grid[0]),
                                      mode="nearest")
    curve = (curve - curve[0]) / max(float(curve[grid <= 1.0].max() - curve[0]), 1e-3)
    y = np.interp((x / hi).clamp(0.0, float(knots[-1])).numpy(), grid, curve)
    return torch.from_numpy(y.astype(np.float32)) * hi
