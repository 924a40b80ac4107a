"""The degradation detector of `auto` mode: was an MR slice made by a lower acquisition matrix (k-space
truncation) or by resampling?

The two put the HR pixel grid in different places (k-space: LR pixel i at HR pixel s i; resampling:
at s i + (s - 1) / 2), so no single output suits both: zero-filled Fourier on a resampled slice, or
bicubic on a truncated one, loses 2-3.5 dB on our validation (the model's wrong path: 3-8 dB). The
pipeline therefore decides, then runs the told path (its words, its x_up grid, its exact projection).

Small fully convolutional readers (four 3x3 convolutions, 16 channels each) read the LR slice, shifted
to a zero minimum and divided by its RMS, and give a logit per position and scale (one head for x2, one for
x4). They see what separates the two locally: a truncated slice keeps white noise white and rings at edges
(Gibbs); a resampled one has the antialiasing filter's correlated noise and soft edges. The mean reader
(model 2.1.0's detector) averages the logits over the slice; two evidence readers (model 2.3.0) weight
them by how much evidence each position holds (`Detector` says how they are mixed). They replaced a
logistic model on band powers (model 2.0.0), which was right on 94% of validation slices at x2 but,
fitted on one slice at x4, called 87% of resampled x4 slices k-space.

Trained on the training MR acquisitions (VolPack, DIPY) and the photographs, with noisy-magnitude
copies, masked backgrounds (model 2.6.0), blurred copies standing for smoother scans (model 2.7.0), random crops
(LR sides 32 px and up), for the k-space class also slices acquired at the lower matrix itself (the magnitude of a
phased, noisy complex image's central k-space: model 2.5.0), and for the resampled class also box filters; most LR
slices are stored as files hold them (STORED). Colin27 is left out: it is a 27-scan average resampled to a
template grid, so its own spectrum rolls off like a resampled image's and its truncated slices would teach the
resampled look as k-space.
The graph `detector.onnx` holds the normalisation too, so the TypeScript side only runs it
(src/pipeline/degradation-detector.ts).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

import augment
import data
import degrade as D
from seeded import Seeded

SCALES = (2, 4)                # one output logit per scale, in this order
WIDTH = 16
PATCH = 32                     # LR training patch side
# The two wrong calls do not cost the same: on the MR validation subjects and external slices (model 2.3.0,
# both told paths run on every slice), a truncated slice sent down the resampled path lost 4.6-8.3 dB, a
# resampled one sent down the k-space path 3.1-6.7 dB, about 1.45 times less (validation: 5.5 vs 3.7 dB per
# slice at x2, 5.4 vs 4.1 at x4). With costs c_k and c_b the expected loss is least when a slice goes to the
# k-space path at P(k-space) >= c_b / (c_b + c_k), about 0.4; the card's detector table shows the costs
# (model 2.4.0, which refines both paths: 5.9 vs 4.3 dB on validation, a ratio of 1.37 and a threshold of 0.42).
THRESHOLD = 0.4
# Smaller LR slices are not judged (too little texture to read): they run FALLBACK, the cheaper mistake.
MIN_SIDE = 16
FALLBACK = "kspace"
# Modalities not judged but routed to one told path. CT's two inputs (detector pixels, resampling) share one
# grid; the resampled path's exact projection beat the blind low-band one on 10 of 12 CT cases (validation
# slab and the two external slices, x2 and x4, both inputs; at most 0.21 dB behind on the other two) and
# kept the smooth external Hitachi slice's resampled x2 input at +0.3 dB over Lanczos where the blind path
# lost 3.3 dB (model 2.0.0, measured before this choice was made).
ROUTES = {"CT": "bicubic"}
# How the LR of a training pair is stored, (|x| share, clipped-at-0 share); the rest keep their ringing below zero.
# Every input the product reads is a file, and MR files are unsigned: a lower matrix written by code that takes the
# real part arrives clipped at 0, one written as a magnitude arrives as |x|; only a signed file keeps the negative
# lobes. Model 2.5.0 trained a quarter each; 2.6.0 trains 40% each (see MASKED for what it changed).
STORED = (0.4, 0.4)
# Share of training slices whose background is zeroed (`masked`) before degradation (model 2.6.0; 2.5.0: none). Some
# reconstructions and most post-processing store a masked background (the ITK and EPI validation subjects: 60-70% of
# their pixels are exactly 0), while the training acquisitions are mostly noise there. Validation routing with both
# changes, inputs stored as DICOM files store them (clipped at 0 / magnitudes / acquired at the lower matrix /
# resampled), of 36 per row, 2.5.0 -> 2.6.0: x2 36 / 23 / 27 / 34 -> 36 / 33 / 36 / 34; x4 24 / 16 / 19 / 28 ->
# 36 / 26 / 32 / 28 (the card's notes have the variant without masking).
MASKED = 0.3
# Share of training slices blurred (Gaussian, sigma 0.4-1.5 HR pixels) before noise and degradation (model 2.7.0; 2.6.0:
# none). The training acquisitions are sharp; thick-slice and 2-3 mm scans are smooth, so little of their energy reaches
# the cut a lower matrix makes, and 2.6.0 called such lower matrices resampled (the ITK subject's magnitudes, Colin27's).
# Right of 36 validation inputs per row (clipped at 0 / magnitudes / acquired / resampled), 2.6.0 -> 0.3 -> 0.5: x2
# 36 / 33 / 36 / 34 -> 36 / 36 / 36 / 36 -> 36 / 36 / 36 / 32; x4 36 / 26 / 31 / 28 -> 36 / 24 / 34 / 29 -> 36 / 34 / 36 /
# 25; on 24 Colin27 slices (no reader trains on them) x2 18 / 7 / 24 / 24 -> 22 / 21 / 24 / 24 (both), x4 14 / 12 / 16 /
# 24 -> 19 / 16 / 23 / 24 -> 18 / 19 / 23 / 24. But resampled copies of scans a scanner zero-filled are smooth too: of
# the 216 such validation inputs that show no band limit, 190 -> 195 -> 139 were routed right. 0.3 ships (card notes).
SMOOTHED = 0.3
TRAIN_SUBJECTS = ("volpack_brainsmall", "dipy_s0_dwi", "dipy_t1_coronal")
# python3-skimage's photographs (the design was chosen with them; the wallpaper photographs came later)
PHOTO_SUBJECTS = tuple(data.photo_subject(p) for p in data.PHOTOS)


class DetectorNet(nn.Module):
    """LR slice [B, 1, h, w] (any intensity scale) -> logits of P(k-space) [B, len(SCALES)]: one reader.

    pooling "mean": the slice's logit is the plain mean of its positions' logits (model 2.1.0's detector).
    pooling "evidence": each position also says how much evidence it holds, and the slice's logit is the
    positions' logits weighted by their softmaxed evidence. A flat masked or noise-free background holds
    none either way: averaged in, it outvoted the tissue, and the smooth EPI subject's truncated x2 slices
    were called resampled (the mean reader: 1 of 12 right; the shipped detector's x2, two evidence readers: 11)."""

    def __init__(self, pooling="mean", width=WIDTH, scales=SCALES):
        super().__init__()
        self.pooling, self.heads = pooling, len(scales)
        layers, c = [], 1
        for _ in range(4):
            layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU()]
            c = width
        outputs = self.heads * (2 if pooling == "evidence" else 1)
        self.body = nn.Sequential(*layers, nn.Conv2d(width, outputs, 1))

    def forward(self, image):
        """image: shifted to a zero minimum (as DetectorGraph and PairSampler do), any scale; divided by its RMS."""
        rms = image.pow(2).mean((1, 2, 3), keepdim=True).sqrt()
        out = self.body(image / (rms + 1e-6)).flatten(2)
        if self.pooling == "mean":
            return out.mean(2)
        logit, evidence = out[:, :self.heads], out[:, self.heads:]
        return (logit * torch.softmax(evidence, dim=2)).sum(2)


class Detector(nn.Module):
    """The readers, mixed per scale: logit = w * mean reader + (1 - w) * the evidence readers' mean logit.

    Why these weights (validation subjects: 3 x 12 slices per input and scale; "other": Colin27, which no
    reader trains on, and 11 external slices, python3-pydicom's Toshiba MR_small and two Siemens ASL mosaics
    cut into 72 x 72 slices; routed right of 72 / 46 per scale):
    - x2: the mean reader called 11 of 12 truncated slices of the smooth EPI subject resampled (61 / 31);
      two evidence readers (seeds 5 and 6), 67 and 68 / 37 and 33 alone, together 70 / 35.
    - x4: the evidence readers lean to k-space on small noisy resampled slices (the Siemens b0 subject's
      38 x 37: 6 and 10 of 12 right) and on the 18 x 18 ASL slices; the mean reader 64 / 43, the evidence
      readers together 66 / 34, half each 66 / 41.
    The weights were fixed before the second evidence reader was trained and scored; a third, exploratory
    evidence reader (trained from another pair stream, not shipped) scored 72 / 42 at x2 and 61 / 30 at x4:
    seeds move these counts by several slices, which is why the readers are averaged."""

    MEAN_WEIGHT = (0.0, 0.5)   # w per scale, in SCALES order

    def __init__(self, mean_reader, evidence_readers):
        super().__init__()
        self.mean_reader, self.evidence_readers = mean_reader, nn.ModuleList(evidence_readers)
        self.register_buffer("mean_weight", torch.tensor(self.MEAN_WEIGHT))

    def forward(self, image):
        evidence = torch.stack([r(image) for r in self.evidence_readers]).mean(0)
        return self.mean_weight * self.mean_reader(image) + (1 - self.mean_weight) * evidence


# The readers stage 4 trains, as (checkpoint name, pooling, seed offset): "detector" is model 2.1.0's reader, kept
# under its name so its runs resume; the first evidence reader sees the same pairs as it, the second other pairs.
READERS = (("detector", "mean", 5), ("detector_evidence", "evidence", 5), ("detector_evidence_2", "evidence", 6))
# Stage 4d (model 2.16.0) fine-tunes each reader from stage 4's weights (`det_tune_iters`, checkpoint <reader>_tuned) with
# `det_zoom_p` of its drawn slices zoomed and `det_contrast_p` given another tissue contrast: the readers trained on 1-2 mm
# scans, mostly T1, and misrouted zoomed slices and slices from other downsamplers (card notes: what 2.16.0 changed).
TUNE_STAGE = "{}_tuned"


def tuning(cfg):
    """Whether the run fine-tunes the readers (stage 4d): the shipped readers are then the tuned ones."""
    return cfg.get("det_tune_iters", 0) > 0


class DetectorGraph(nn.Module):
    """What ships as detector.onnx: the slice in any affine intensity scale (the product passes the
    normalised slice, background near -1), shifted so its minimum is 0 as every training slice was
    before its patch was cut, then the network."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, image):
        return self.net(image - image.amin((1, 2, 3), keepdim=True))


class PairSampler(Seeded):
    """Random (LR patch, is k-space) pairs from the training acquisitions and photographs; its RNG state is checkpointed.
    `zoom_p`, `contrast_p`: shares of drawn slices first zoomed (augment.zoomed) or given another tissue contrast
    (augment.another_contrast), both classes alike: stage 4d's fine-tuning (TUNE_STAGE); stage 4 draws neither."""

    def __init__(self, arrays, meta, seed, zoom_p=0.0, contrast_p=0.0):
        self.pool = [(torch.from_numpy(a)[None, None], m) for a, m in zip(arrays, meta["slices"])
                     if m["split"] == "train" and (m["subject"] in TRAIN_SUBJECTS or m["subject"] in PHOTO_SUBJECTS)]
        self.zoom_p, self.contrast_p = zoom_p, contrast_p
        super().__init__(seed)

    def pair(self, s, patch=PATCH):
        r = self.rng
        x, m = drawn(self.pool, r, s * patch)
        if self.zoom_p and r.random() < self.zoom_p:           # only then: stage 4's pairs stay as they were
            x = augment.zoomed(x, r)
        if self.contrast_p and r.random() < self.contrast_p:
            x = augment.another_contrast(x, r)
        H, W = x.shape[-2:]
        h, w = r.randrange(s * patch, H + 1) // s * s, r.randrange(s * patch, W + 1) // s * s
        i, j = r.randrange(0, H - h + 1), r.randrange(0, W - w + 1)
        x = x[..., i:i + h, j:j + w]
        if m["modality"] == "PHOTO":
            x = ((x - x.min()) / (x.max() - x.min()).clamp(min=1e-6)) ** r.uniform(0.5, 2.0)
        if SMOOTHED and r.random() < SMOOTHED:
            x = D.gaussian_blur(x, r.uniform(0.4, 1.5)).clamp(min=0)
        level = float(torch.quantile(x.flatten()[::7], 0.995).clamp(min=1e-6))
        # a k-space pair of this draw may be a scan acquired at the lower matrix itself (below): only it needs the
        # complex image's phase (the magnitude of a phased image plus complex noise is distributed as without it)
        acquired_low = r.random() < 0.5
        z = None                  # the complex image behind the magnitude x, while x is still one
        if r.random() < 0.85:     # real scans are noisy magnitude images; sigma 0.2-6% of the bright level
            sigma = level * math.exp(r.uniform(math.log(0.002), math.log(0.06)))
            x, z = D.magnitude_with_noise(x * smooth_phase(x.shape, r) if acquired_low else x, sigma, self.gen)
        # how scanners reconstruct: a k-space filter (apodisation) or zero-filled interpolation to a larger
        # matrix; a lower matrix cut from such a scan is still a lower matrix
        if r.random() < 0.3:
            x, z = apodised(x, r.uniform(0.3, 0.9), r.uniform(0.05, 0.8)), None
        if MASKED and r.random() < MASKED:
            x, z = masked(x, level * r.uniform(0.02, 0.2)), None
        if r.random() < 0.15:
            H, W = x.shape[-2:]
            z = D.zero_filled(x, 2).clamp(min=0)
            i, j = r.randrange(0, H + 1) // s * s, r.randrange(0, W + 1) // s * s
            x = z[..., i:i + H, j:j + W]
            # z stays the whole zero-filled slice: a k-space pair drawn as acquired at the lower matrix (below) is then
            # the magnitude of that slice's central k-space, a lower matrix of the zero-filled scan (as 2.5.0 trained)
        kspace = r.random() < 0.5
        if kspace and z is not None and acquired_low:
            # a scan acquired at the lower matrix itself: the magnitude of the complex image's central k-space
            # (model 2.5.0; the readers trained on lower matrices cut from magnitude scans alone called most
            # such slices resampled: P(k-space) 0.09 at the median for validation slices acquired so at x2)
            lr = D.kspace_down_complex(z, s)
        elif kspace:
            lr = D.degrade(x, s, "kspace")
        elif r.random() < 0.8:
            lr = D.degrade(x, s, "bicubic")
        else:
            lr = D.area_down(x, s, r.uniform(0.0, 0.7))
        # the ringing of a truncated slice goes below zero, but a stored slice has mostly been clipped or taken as a
        # magnitude (STORED): both kinds alike, so that a negative minimum is no cue
        u = r.random()
        if u < STORED[0]:
            lr = lr.abs()
        elif u < STORED[0] + STORED[1]:
            lr = lr.clamp(min=0)
        lr = lr - lr.min()          # as DetectorGraph does to the whole slice (the product's slice is normalised)
        a, b = r.randrange(0, lr.shape[-2] - patch + 1), r.randrange(0, lr.shape[-1] - patch + 1)
        return lr[..., a:a + patch, b:b + patch], float(kspace)

    def batch(self, n, s):
        xs, ys = zip(*(self.pair(s) for _ in range(n)))
        return torch.cat(xs), torch.tensor(ys)


def drawn(pool, r, side):
    """A (slice, meta) of `pool` at least `side` on each side, drawn with the sampler's RNG `r`."""
    while True:
        x, m = pool[r.randrange(len(pool))]
        if min(x.shape[-2:]) >= side:
            return x, m


def masked(x, threshold):
    """x with its background set to 0 where a 5 x 5 local mean is below `threshold`, as some reconstructions and
    post-processing store it (the ITK and EPI validation subjects: 60-70% of their pixels are exactly 0)."""
    keep = F.avg_pool2d(x, 5, 1, 2, count_include_pad=False) >= threshold
    return x * keep


def smooth_phase(shape, r):
    """exp(i phi) for a smooth random phase map (a quadratic over the slice, up to +-pi at its corners), as the
    complex image of a real acquisition has (coil sensitivities, off-resonance)."""
    H, W = shape[-2:]
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, H, dtype=torch.float64), torch.linspace(-1, 1, W, dtype=torch.float64),
                            indexing="ij")
    c = [r.uniform(-1, 1) for _ in range(5)]
    phi = (math.pi / 2.5) * (c[0] * xx + c[1] * yy + c[2] * xx * yy + c[3] * xx ** 2 + c[4] * yy ** 2)
    return torch.exp(1j * phi)


def apodised(x, start, edge):
    """x with its centred spectrum tapered (cosine, separable) from `start` of Nyquist to `edge` at Nyquist."""
    H, W = x.shape[-2:]
    win = 1.0
    for n, shape in ((H, (-1, 1)), (W, (1, -1))):
        f = torch.fft.fftfreq(n, dtype=torch.float64).abs() * 2
        t = ((f - start) / (1 - start)).clamp(0, 1)
        win = win * (edge + (1 - edge) * 0.5 * (1 + torch.cos(math.pi * t))).view(shape)
    return torch.fft.ifft2(torch.fft.fft2(x.double()) * win).real.float().clamp(min=0)


def step(net, sampler, it, batch, scales=SCALES):
    """One training step's loss (scales alternate; `scales`: the reader's, one head each)."""
    k = it % len(scales)
    x, y = sampler.batch(batch, scales[k])
    dev = next(net.parameters()).device
    return F.binary_cross_entropy_with_logits(net(x.to(dev))[:, k], y.to(dev))


def params(iterations, train_accuracy, judged_elsewhere=()):
    """The manifest's `detector` entry (the graph is `detector.onnx`); `judged_elsewhere`: modalities another detector
    judges (ct_detector.py), whose ROUTES entries it no longer needs."""
    return {"kind": "cnn", "graph": "detector", "scales": [str(s) for s in SCALES], "min_side": MIN_SIDE,
            "fallback": FALLBACK, "modalities": ["MR"],
            "routes": {m: r for m, r in ROUTES.items() if m not in judged_elsewhere}, "threshold": THRESHOLD,
            "classes": ["kspace", "bicubic"], "train_iterations": iterations, "train_accuracy": train_accuracy}


@torch.no_grad()
def accuracy(net, sampler, n=256, scales=SCALES):
    """Fraction of fresh training-distribution pairs called right, per scale."""
    out = {}
    for k, s in enumerate(scales):
        x, y = sampler.batch(n, s)
        out[str(s)] = float(((net(x)[:, k] > 0).float() == y).float().mean())
    return out


@torch.no_grad()
def probability(net, lr, s, scales=SCALES):
    """P(the reader's first class: k-space truncation here, area for ct_detector.py) for one LR slice, or None when the
    slice is too small to judge."""
    if min(lr.shape[-2:]) < MIN_SIDE:
        return None
    return float(torch.sigmoid(DetectorGraph(net)(lr)[0, scales.index(s)]))


def decide(net, lr, s, modality):
    """The mode the default (`auto`) pipeline runs for this slice: kspace, bicubic, or auto (blind), and P(k-space)."""
    if net is not None and modality in ROUTES:
        return ROUTES[modality], None
    if net is None or modality != "MR" or s not in SCALES:
        return "auto", None
    p = probability(net, lr, s)
    if p is None:
        return FALLBACK, None
    return ("kspace" if p >= THRESHOLD else "bicubic"), p
