"""The degradation detector of `auto` mode: was an MR slice made by a lower acquisition matrix (k-space
truncation) or by resampling?

The two put the HR pixel grid in different places (k-space: LR pixel i at HR pixel s i; resampling:
at s i + (s - 1) / 2), so no single output suits both: zero-filled Fourier on a resampled slice, or
bicubic on a truncated one, loses 2-3 dB on our validation. The pipeline therefore decides, then runs
the told path (its words, its x_up grid, its exact projection).

Features: the slice's axis power spectra (mean over the other axis) in NB bands of the frequency
(fraction of Nyquist), log, relative to the mid bands; a logistic model per scale. Resampling rolls
the top bands off (the antialiasing filter), truncation keeps them flat with the rest of the band.
Fitted on the training MR acquisitions (VolPack, DIPY), with noisy-magnitude copies; Colin27 is left
out: it is a 27-scan average resampled to a template grid, so its own spectrum already rolls off like
a resampled image and it would teach the detector nothing true about acquisitions.
src/pipeline/degradation-detector.ts computes the same features; the parameters ship in the manifest.
"""
import math
import random

import numpy as np
import torch

import degrade as D

BANDS = 8
REFERENCE = (BANDS // 4, BANDS // 2)       # bands whose mean the features are taken relative to
# Smaller LR slices are not judged: their band powers rest on too few frequencies. On 1.x-style validation
# the detector called every 32 x 24 slice at x4 wrongly; clinical LR slices are 48 px and up. Unjudged MR
# runs FALLBACK, the cheaper mistake: k-space treated as resampled loses ~3 dB to zero-filling, resampled
# treated as k-space ~2 dB to bicubic (validation, classical methods).
MIN_SIDE = 40
FALLBACK = "kspace"
TRAIN_SUBJECTS = ("volpack_brainsmall", "dipy_s0_dwi", "dipy_t1_coronal")


def features(lr):
    """lr: [1, 1, h, w] (any intensity scale) -> BANDS floats."""
    a = lr[0, 0].detach().cpu().numpy().astype(np.float64)
    a = a - a.mean()
    P = np.abs(np.fft.fft2(a)) ** 2
    h, w = a.shape
    out = np.zeros(BANDS)
    for p, n in ((P.mean(0), w), (P.mean(1), h)):
        f = np.abs(np.fft.fftfreq(n)) * 2
        idx = np.minimum((f * BANDS).astype(int), BANDS - 1)
        out += np.log(np.array([p[idx == i].mean() for i in range(BANDS)]) + 1e-30) / 2
    return out - out[REFERENCE[0]:REFERENCE[1]].mean()


def fit(arrays, meta, seed=0, copies=3, log=print):
    """{scale: {mean, std, weights, bias, train_accuracy}} from the training subjects."""
    rng, gen = random.Random(seed), torch.Generator().manual_seed(seed)
    out = {}
    for s in (2, 4):
        X, Y = [], []
        for a, m in zip(arrays, meta["slices"]):
            if m["subject"] not in TRAIN_SUBJECTS or m["split"] != "train":
                continue
            x = torch.from_numpy(a)[None, None]
            level = float(torch.quantile(x.flatten()[::7], 0.995).clamp(min=1e-6))
            for c in range(copies):
                xx = x if c == 0 else D.magnitude_with_noise(x, level * math.exp(rng.uniform(math.log(0.003), math.log(0.03))), gen)[0]
                H, W = xx.shape[-2:]
                xx = xx[..., : H - H % s, : W - W % s]
                if min(xx.shape[-2:]) // s < MIN_SIDE:
                    continue
                for label, kind in ((1.0, "kspace"), (0.0, "bicubic")):
                    X.append(features(D.degrade(xx, s, kind)))
                    Y.append(label)
        X, Y = np.array(X), np.array(Y)
        mu, sd = X.mean(0), X.std(0) + 1e-6
        Xt, Yt = torch.tensor((X - mu) / sd), torch.tensor(Y)
        w = torch.zeros(BANDS, dtype=torch.float64, requires_grad=True)
        b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([w, b], max_iter=500)

        def closure():
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(Xt @ w + b, Yt) + 1e-2 * (w ** 2).sum()
            loss.backward()
            return loss

        opt.step(closure)
        acc = float((((Xt @ w + b) > 0).double() == Yt).double().mean())
        out[str(s)] = {"mean": mu.tolist(), "std": sd.tolist(), "weights": w.detach().tolist(), "bias": float(b),
                       "train_accuracy": acc, "train_slices": int(len(Y))}
        log(f"[detector] x{s}: {len(Y)} training pairs, training accuracy {acc:.3f}")
    return {"kind": "spectral_logistic", "bands": BANDS, "reference_bands": list(REFERENCE), "min_side": MIN_SIDE,
            "fallback": FALLBACK, "modalities": ["MR"], "threshold": 0.5, "scales": out}


def probability_kspace(params, lr, s):
    """P(k-space truncation) for one LR slice, or None when the slice is too small to judge."""
    if min(lr.shape[-2:]) < params["min_side"]:
        return None
    p = params["scales"][str(s)]
    z = float(np.dot((features(lr) - np.array(p["mean"])) / np.array(p["std"]), np.array(p["weights"])) + p["bias"])
    return 1.0 / (1.0 + math.exp(-z))


def decide(params, lr, s, modality):
    """The mode the default (`auto`) pipeline runs for this slice: kspace, bicubic, or auto (blind fallback)."""
    if params is None or modality not in params["modalities"]:
        return "auto", None
    p = probability_kspace(params, lr, s)
    if p is None:
        return params["fallback"], None
    return ("kspace" if p >= params["threshold"] else "bicubic"), p
