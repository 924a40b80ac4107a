"""Evaluation on the validation split: every number of the model card comes from here.

Model 2.0 is scored per validation subject (three MR subjects from three scanners, the CT slab) on
both kinds of input of each modality, in the product's default mode (`auto`: the degradation is not
told; auto words and the auto projection) and told the true degradation (exact projection).
"""
import collections
import math
import time

import numpy as np
import torch

import bandlimit as BL
import ct_detector as CTD
import ct_refiner as CTR
import data
import degrade as D
import detector as DET
import prompt as P
import refiner as R

WRONG = {"MR": "ct head axial", "CT": "mr head t1 axial"}
MAIN_KIND = {"MR": "kspace", "CT": "area"}
KINDS = {"MR": ("kspace", "bicubic"), "CT": ("area", "bicubic")}
CLASSICAL = ("bicubic", "lanczos", "zero-filled Fourier")
# goals of issue 12 for the default (auto) pipeline: gain over the best classical baseline (dB)
GOALS = {("MR", "kspace", 2): 1.0, ("MR", "kspace", 4): 1.0, ("MR", "bicubic", 2): 0.0, ("MR", "bicubic", 4): 0.0,
         ("CT", "area", 2): 2.0, ("CT", "area", 4): 1.5, ("CT", "bicubic", 2): 0.0, ("CT", "bicubic", 4): 0.0}
COVERAGE_SD = 2.0          # the uncertainty band the calibration targets: |error| <= 2 SD ...
COVERAGE_TARGET = 0.95     # ... for this fraction of body pixels
# The map before its conformal scale: sqrt(SD^2 + (GRADIENT_WEIGHT x gradient_rms(mean))^2). The K samples' SD alone
# follows |error| weakly (Pearson 0.29-0.43 on validation) and its calibrated coverage ran from 86% to 98% per unseen
# subject; errors gather at edges, which the mean's own gradient finds (0.35-0.53, 90-97%: see the card's notes).
GRADIENT_WEIGHT = 0.1


def _score(o, hr, masks, lr, s, kind, floor=None):
    n = len(masks)
    fl = [None] * n if floor is None else floor
    return {"psnr_mask": float(np.mean([D.psnr(o[i], hr[i], masks[i]) for i in range(n)])),
            "ssim_mask": float(np.mean([D.ssim(o[i], hr[i], masks[i]) for i in range(n)])),
            "psnr_whole": float(np.mean([D.psnr(o[i], hr[i]) for i in range(n)])),
            "dc_residual": float(np.mean([D.dc_residual(o[i:i + 1], lr[i:i + 1], s, kind, fl[i]) for i in range(n)]))}


def validation_subjects(work, smoke, split="val"):
    """{(modality, subject): [(array, meta)]}: slices of one subject share a shape and a prompt."""
    arrays, meta = data.load(data.prepare(work, smoke=smoke))
    out = {}
    for a, m in zip(arrays, meta["slices"]):
        if m["split"] == split:
            out.setdefault((m["modality"], m["subject"]), []).append((a, m))
    return out


def classical(lr, s, kind):
    """The classical baselines every score is compared with (zero-filled Fourier for k-space data)."""
    outs = {"bicubic": D.upsample(lr, s), "lanczos": D.lanczos(lr, s)}
    if kind == "kspace":
        outs["zero-filled Fourier"] = D.zero_filled(lr, s)
    return outs


# A normalised case: LR, HR, x_up and the normalised value of the lowest value the LR's file can store ([B,1,1,1]; an
# unsigned MR file's 0, the product's storage floor: degrade.floored_input), or None where nothing clips (CT is signed).
Pair = collections.namedtuple("Pair", "lr hr x_up floor")


def normalised_pair(hr_raw, mod, kind, s, lr_raw=None):
    """Degrade the HR slices with `kind` at scale s (or take `lr_raw`, made from them otherwise), store the LR as a DICOM
    file would (`degrade.stored`: a truncated MR slice's ringing below zero is clipped): a Pair, normalised from
    each LR slice."""
    n = hr_raw.shape[0]
    if lr_raw is None:
        lr_raw = torch.cat([D.degrade(hr_raw[i:i + 1], s, kind) for i in range(n)])
    lr_raw = D.stored(lr_raw, mod)
    nps = [D.norm_params(lr_raw[i:i + 1], mod) for i in range(n)]
    off = torch.tensor([p[0] for p in nps]).view(-1, 1, 1, 1)
    sc = torch.tensor([p[1] for p in nps]).view(-1, 1, 1, 1)
    lr, hr = (lr_raw - off) / sc, (hr_raw - off) / sc
    lowest = D.STORED_RANGE[mod][0]
    floor = (lowest - off) / sc if lowest == 0 else None
    return Pair(lr, hr, D.upsample_for(lr, s, mod), floor)


def sample(pl, x_up, prompt, scale, mode, modality, B=8, **kw):
    """The diffusion sample for `mode` (auto or a told degradation), before its projection; the path's default
    steps (ct_refiner.sampling_steps, which defers to refiner.sampling_steps off CT) unless `steps` is given."""
    text = P.conditioned(prompt, scale, mode)
    kw.setdefault("steps", CTR.sampling_steps(pl.cfg, mode, modality, scale))
    return torch.cat([pl.sample(x_up[c], text, **kw) for c in chunks(x_up.shape[0], B)])


def auto_path(pl, lr, s, mod):
    """The told path `auto` takes for one LR slice, decided in src/pipeline/upscale.ts's order: a band-limited MR input
    takes bandlimit.ROUTE, a CT slice the CT detector's pick (ct_detector.py), MR the detector's; else the blind path."""
    if pl.band_limit and (route := BL.route(lr[0], mod)):
        return route
    if pl.ct_detector is not None and mod in CTD.MODALITIES:
        return CTD.decide(pl.ct_detector, lr, s)[0]
    return DET.decide(pl.detector, lr, s, mod)[0]


def run_default(pl, lr, x_up, prompt, mod, s, B=8, acquired=None, floor=None, **kw):
    """The product's default (`auto`) pipeline on a batch: per slice, the told path `auto_path` picks.
    `acquired`: the acquired matrix (rows, columns) the header would give, if any; `floor`: Pair.floor.
    Returns (projected, raw sample, modes)."""
    modes = [auto_path(pl, lr[i:i + 1], s, mod) for i in range(lr.shape[0])]
    raw = torch.empty_like(x_up)
    out = torch.empty_like(x_up)
    for mode in sorted(set(modes)):
        idx = torch.tensor([i for i, m in enumerate(modes) if m == mode])
        r = sample(pl, x_up[idx], prompt, s, mode, mod, B, **kw)
        raw[idx] = r
        out[idx] = pl.finish(r, lr[idx], s, mode, mod, acquired, None if floor is None else floor[idx])
    return out, raw, modes


def _super_resolve(pl, hr_raw, masks, mod, kind, s, prompt, B=8):
    """Degrade the HR slices with `kind` at scale s; every baseline and model output, scored."""
    n = len(masks)
    case = normalised_pair(hr_raw, mod, kind, s)
    lr, hr, x_up, floor = case
    outs = dict(classical(lr, s, kind))
    reg = torch.cat([pl.regression(x_up[c]) for c in chunks(n, B)])
    outs["regression"] = D.consistency(reg, lr, s, "auto", mod)
    dif, raw, modes = run_default(pl, lr, x_up, prompt, mod, s, B, floor=floor, seed=0)     # the default: degradation not told
    outs["diffusion (no projection)"] = raw
    outs["diffusion"] = dif
    told = sample(pl, x_up, prompt, s, kind, mod, B, seed=0)
    outs["diffusion, told"] = pl.finish(told, lr, s, kind, mod, floor=floor)    # --degradation <kind>
    if pl.refiner is not None and R.applies(kind, mod):                         # what the refiner adds
        outs["diffusion, told, without the refiner"] = D.consistency(told, lr, s, kind, mod, floor)
    rows = [dict({"modality": mod, "degradation": kind, "scale": s, "method": name}, **_score(o, hr, masks, lr, s, kind, floor))
            for name, o in outs.items()]
    for r in rows:
        if r["method"] == "diffusion":
            r["modes"] = {m: modes.count(m) for m in sorted(set(modes))}
    return rows, case, outs


def chunks(n, k):
    for i in range(0, n, k):
        yield slice(i, min(n, i + k))


def _pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    d = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / d) if d > 0 else 0.0


def _mean_rows(rows, keys=("modality", "degradation", "scale", "method")):
    """Rows averaged over subjects (each subject weighs the same, whatever its slice count)."""
    by = {}
    for r in rows:
        by.setdefault(tuple(r[k] for k in keys), []).append(r)
    out = []
    for key, rs in by.items():
        row = dict(zip(keys, key), subjects=len(rs))
        for m in ("psnr_mask", "ssim_mask", "psnr_whole", "dc_residual"):
            row[m] = float(np.mean([r[m] for r in rs]))
        out.append(row)
    return out


def gradient_rms(x):
    """Per pixel of x [..., H, W]: the root mean square over its 3 x 3 neighbourhood (edge pixels repeated) of the
    gradient magnitude (central differences, one-sided at the border: numpy.gradient's)."""
    g2 = sum(g * g for g in torch.gradient(x.double(), dim=(-2, -1))) if min(x.shape[-2:]) > 1 else torch.zeros_like(x, dtype=torch.float64)
    flat = g2.reshape(-1, 1, *x.shape[-2:])
    mean = torch.nn.functional.avg_pool2d(torch.nn.functional.pad(flat, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    return mean.sqrt().reshape(x.shape).to(x.dtype)


def uncertainty_sd(mean, sd, weight=GRADIENT_WEIGHT):
    """The uncertainty map before its conformal scale (src/pipeline/uncertainty.ts `uncertaintyMap`)."""
    return torch.sqrt(sd * sd + (weight * gradient_rms(mean)) ** 2)


def _uncertainty(pl, hr_raw, masks, mod, kind, s, prompt, K, B=8):
    """K samples in auto mode: |error| of the projected mean, the uncalibrated map (`uncertainty_sd`), and the path each
    pixel's slice took, inside the body mask."""
    lr, hr, x_up, floor = normalised_pair(hr_raw, mod, kind, s)
    runs = [run_default(pl, lr, x_up, prompt, mod, s, B, floor=floor, seed=k) for k in range(K)]
    st = torch.stack([r[0] for r in runs])
    modes = runs[0][2]     # the detector reads the LR alone: every seed takes the same path
    mean = st.mean(0)
    sd = uncertainty_sd(mean, st.std(0, unbiased=True))
    err = (mean - hr).abs()
    e = np.concatenate([err[i].squeeze().numpy()[masks[i]] for i in range(len(masks))])
    d = np.concatenate([sd[i].squeeze().numpy()[masks[i]] for i in range(len(masks))])
    paths = np.concatenate([np.full(int(masks[i].sum()), modes[i]) for i in range(len(masks))])
    return e, d, paths


# slices a scanner zero-filled from this fraction of their matrix, cut at this scale: from 3/8 at x2 the input's band
# ends at 0.75 of its Nyquist frequency (the spectrum shows it); at x4 the input is inside the acquired band, and only
# the header's AcquisitionMatrix tells; from 1/2 at x2 the input is exactly the acquired matrix (nothing tells)
INTERPOLATED = ((0.375, 2), (0.375, 4), (0.5, 2), (0.5, 4))


def _interpolated(pl, subjects, B, log):
    """The MR validation slices as a scanner that zero-fills would give them (bandlimit.py), cut both ways
    (INTERPOLATED): the default pipeline with and without the band limit (and its route) and the acquired matrix, each
    path told, the classical baselines."""
    rows = []
    for band, s in INTERPOLATED:
        for (mod, subject), items in sorted(subjects.items()):
            if mod not in BL.MODALITIES:
                continue
            hr_raw = BL.zero_filled_scan(torch.stack([torch.from_numpy(a)[None] for a, _ in items]), band)
            acquired = BL.acquired_matrix(hr_raw.shape, band)
            masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
            prompt = items[0][1]["prompt"]
            for kind in KINDS[mod]:
                lr, hr, x_up, floor = normalised_pair(hr_raw, mod, kind, s)
                outs = dict(classical(lr, s, kind))
                header = bool(BL.acquired_band(lr.shape, s, acquired))
                outs["diffusion"] = run_default(pl, lr, x_up, prompt, mod, s, B, acquired, floor)[0]
                # without the header the same pipeline: run again only where the header limits anything
                outs["diffusion, acquired matrix unknown"] = (run_default(pl, lr, x_up, prompt, mod, s, B, floor=floor)[0] if header
                                                              else outs["diffusion"])
                for mode in KINDS[mod]:
                    outs[f"told {mode}"] = pl.finish(sample(pl, x_up, prompt, s, mode, mod, B, seed=0), lr, s, mode, mod, acquired,
                                                     floor)
                pl.band_limit = False
                try:
                    outs["diffusion, no band limit"] = run_default(pl, lr, x_up, prompt, mod, s, B, floor=floor)[0]
                finally:
                    pl.band_limit = True
                found = sum(bool(BL.detect(lr[i])) for i in range(len(items)))
                case = []
                for name, o in outs.items():
                    case.append(dict({"modality": mod, "subject": subject, "degradation": kind, "scale": s, "band": band,
                                      "method": name, "band_limited": found, "acquired_matrix_limits": header,
                                      "slices": len(items)}, **_score(o, hr, masks, lr, s, kind, floor)))
                rows.extend(case)
                log(f"[eval] interpolated from {band} {subject} {kind} x{s} (band limit found on {found} of {len(items)}; "
                    f"acquired matrix limits: {header}): " + ", ".join(f"{r['method']} {r['psnr_mask']:.2f}" for r in case))
    return rows


def _made_otherwise(pl, subjects, B, log, kind, makers):
    """The MR slices of `subjects` made into LR inputs by each of `makers` ({name: (HR slices, s) -> LR slices}) rather than
    by the contract's operator for `kind`, stored as files store them: the default pipeline (how the detector routes
    them) and the path of `kind` told, against the classical baselines."""
    rows = []
    for made_by, make in makers.items():
        for s in (2, 4):
            for (mod, subject), items in sorted(subjects.items()):
                if mod != "MR":
                    continue
                hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
                masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
                prompt = items[0][1]["prompt"]
                lr, hr, x_up, floor = normalised_pair(hr_raw, mod, kind, s, make(hr_raw, s))
                outs = dict(classical(lr, s, kind))
                outs["diffusion"], _, modes = run_default(pl, lr, x_up, prompt, mod, s, B, floor=floor, seed=0)
                outs["diffusion, told"] = pl.finish(sample(pl, x_up, prompt, s, kind, mod, B, seed=0), lr, s, kind, mod, floor=floor)
                shares = pl.gaussian_shares(lr, s, kind, mod)     # the resampled path's operator, told (resampler_detector.py)
                case = [dict({"modality": mod, "subject": subject, "degradation": kind, "made_by": made_by, "scale": s,
                              "method": method, "slices": len(items), "called_kspace": modes.count("kspace"),
                              "gaussian_share": float(np.mean(shares))},
                             **_score(o, hr, masks, lr, s, kind, floor)) for method, o in outs.items()]
                rows.extend(case)
                log(f"[eval] {made_by} {subject} x{s} (called k-space: {modes.count('kspace')} of {len(items)}): "
                    + ", ".join(f"{r['method']} {r['psnr_mask']:.2f}" for r in case))
    return rows


def _magnitude_matrices(pl, subjects, B, log):
    """The MR slices of `subjects` cut to a lower matrix and reconstructed as magnitudes, |IFFT(central k-space)|, as MR code
    usually writes it (the main tables take the real part, which the k-space projection assumes, clipped)."""
    return _made_otherwise(pl, subjects, B, log, "kspace",
                           {"magnitude lower matrix": lambda hr, s: D.kspace_down(hr, s, drop_nyquist=False, magnitude=True)})


def _other_resamplers(pl, subjects, B, log):
    """The MR validation slices resampled by other antialiased downsamplers than the contract's bicubic
    (degrade.OTHER_RESAMPLERS), and by the contract's beside them; told, the resampled path projects onto the operator
    the resampler detector's share blends (degrade.resampled_down)."""
    return _made_otherwise(pl, subjects, B, log, "bicubic", {"contract bicubic": D.bicubic_down, **D.OTHER_RESAMPLERS})


# MR finer than any training MR: the validation slices enlarged by a bicubic zoom (as a PACS or a scanner with a
# non-Fourier kernel enlarges a scan: pixels 1.5 or 2 times finer, anatomy smoother per pixel), then made into inputs
ZOOMS = (1.5, 2.0)


def zoomed_subjects(subjects, z):
    """The MR validation subjects with every slice enlarged by a bicubic zoom of z and cut back to its own size about
    its centre."""
    out = {}
    for (mod, subject), items in subjects.items():
        if mod != "MR":
            continue
        for a, m in items:
            x = torch.from_numpy(a)[None, None]
            H, W = x.shape[-2:]
            big = torch.nn.functional.interpolate(x, scale_factor=z, mode="bicubic", align_corners=False)
            i, j = (big.shape[-2] - H) // 2, (big.shape[-1] - W) // 2
            out.setdefault((mod, subject), []).append((big[0, 0, i:i + H, j:j + W].clamp(min=float(x.min())).numpy(), m))
    return out


def _oversampled(pl, subjects, B, log):
    """The MR validation slices zoomed (ZOOMS), made into inputs by each MR degradation's contract: how the default
    pipeline routes them and the told path, against the classical baselines."""
    rows = []
    for z in ZOOMS:
        zoomed = zoomed_subjects(subjects, z)
        for kind in KINDS["MR"]:
            contract = lambda hr, s, kind=kind: torch.cat([D.degrade(hr[i:i + 1], s, kind) for i in range(hr.shape[0])])
            rows.extend(dict(r, zoom=z) for r in _made_otherwise(pl, zoomed, B, log, kind, {f"zoom {z:g}": contract}))
    return rows


def path_scales(parts):
    """Conformal scale per path taken (the detector's route: the paths' samples spread differently), over `parts`."""
    e, d, p = (np.concatenate([q[k] for q in parts]) for k in ("errors", "sds", "paths"))
    return {path: calibration_scale(e[p == path], d[p == path]) for path in sorted(set(p.tolist()))}


def _calibrate(parts):
    """The shipped scales for one modality and scale (pooled, and per path), and each subject's coverage with
    scales fitted on the other subjects only (leave-one-subject-out), each pixel scaled by its path's scale."""
    pooled = lambda qs: calibration_scale(np.concatenate([q["errors"] for q in qs]), np.concatenate([q["sds"] for q in qs]))
    c_all, by_path = pooled(parts), path_scales(parts)
    rows = []
    for p in parts:
        others = [q for q in parts if q["subject"] != p["subject"]] or parts   # one subject (CT): in-sample
        c_other, c_paths = pooled(others), path_scales(others)
        scale = np.array([c_paths.get(path, c_other) for path in p["paths"]])
        main = max(set(p["paths"].tolist()), key=p["paths"].tolist().count)
        rows.append({"subject": p["subject"], "degradation": p["kind"], "path": main,
                     "pearson_sd_abs_error": _pearson(p["sds"], p["errors"]),
                     "coverage_raw": float(np.mean(p["errors"] <= COVERAGE_SD * p["sds"])),
                     "coverage_calibrated_loso": float(np.mean(p["errors"] <= COVERAGE_SD * scale * p["sds"])),
                     "coverage_pooled_loso": float(np.mean(p["errors"] <= COVERAGE_SD * c_other * p["sds"])),
                     "scale_loso": c_paths.get(main, c_other), "mean_sd": float(p["sds"].mean()),
                     "mean_abs_error": float(p["errors"].mean())})
    return c_all, by_path, rows


def _external_coverage(pl, subjects, res, K, B):
    """The shipped calibration (the scales fitted on every validation subject, per path taken) on the external subjects:
    how much of the error of scans it never saw the 2-SD band holds."""
    rows = []
    for (mod, subject), items in sorted(subjects.items()):
        hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
        masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
        for kind in KINDS[mod]:
            for s in (2, 4):
                e, d, paths = _uncertainty(pl, hr_raw, masks, mod, kind, s, items[0][1]["prompt"], K, B)
                pooled = res["calibration"][mod][str(s)]
                scale = np.array([res["calibration_path"][mod].get(p, {}).get(str(s), pooled) for p in paths])
                rows.append({"modality": mod, "scale": s, "subject": subject, "degradation": kind, "samples": K,
                             "path": max(set(paths.tolist()), key=paths.tolist().count),
                             "pearson_sd_abs_error": _pearson(d, e), "coverage_raw": float(np.mean(e <= COVERAGE_SD * d)),
                             "coverage_calibrated": float(np.mean(e <= COVERAGE_SD * scale * d))})
    return rows


def calibration_scale(errors, sds):
    """Conformal scale c: c * SD bands of COVERAGE_SD width hold COVERAGE_TARGET of the errors."""
    ratio = errors / (COVERAGE_SD * np.maximum(sds, 1e-8))
    n = len(ratio)
    q = min(1.0, math.ceil((n + 1) * COVERAGE_TARGET) / n)
    return float(np.quantile(ratio, q))


def evaluate(work, pl, smoke=False, log=print, full=True):
    steps_list, n_samples = ((1, 2), 2) if smoke else ((1, 2, 4), 4)
    torch.manual_seed(0)
    subjects = validation_subjects(work, smoke)
    res = {"definitions": {
        "psnr": "10 log10(2^2 / MSE) in the normalised domain (p_low..p_high or the CT window map to -1..1), "
                "inside the body mask of the HR slice unless marked whole-frame; averaged over slices, then subjects",
        "ssim": "Gaussian-window SSIM (sigma 1.5), averaged inside the body mask",
        "body_mask": "HR > 10% of its 99.5th percentile (MR) or > -500 HU (CT), closed, hole-filled, opened",
        "dc_residual": "||A(out) - lr|| / ||lr|| in the normalised domain, A the true degradation",
        "stored": "every LR slice is stored as its DICOM file would hold it before anything reads it (`degrade.stored`: "
                  "rounded; MR unsigned, so a lower matrix's ringing below zero is clipped, as the product's inputs are)",
        "diffusion": "the default pipeline, not told the degradation (MR: the detector picks the k-space or the resampled "
                     "path; CT: the resampled path, the model's route for CT), init_strength %.2f, %d DDIM steps where the refiner "
                     "follows, %d elsewhere, 1 sample, guidance 1" % (pl.cfg["init_strength"], pl.cfg["ref_steps"], pl.cfg["default_steps"]),
        "diffusion, told": "the same, told the true degradation (its words, its exact projection)",
        "refiner": "MR k-space and resampled paths: the pixel-space refiner after the projection, then the projection again "
                   "(part of `diffusion` and `diffusion, told` there; `without the refiner` rows show what it adds)",
        "regression": "the one-step regression baseline (blind), then the auto projection",
        "coverage": f"fraction of body pixels with |mean - HR| <= {COVERAGE_SD:g} x calibrated SD ({n_samples} samples)",
    }, "validation": {}, "vae": {}, "sr_subjects": [], "sr": [], "steps": [], "text": [], "words": [],
        "uncertainty": [], "calibration": {}, "calibration_path": {}}
    B = 8
    unc = {}
    for (mod, subject), items in sorted(subjects.items()):
        prompt = items[0][1]["prompt"]
        res["validation"][subject] = {"modality": mod, "slices": len(items), "shape": items[0][1]["shape"], "prompt": prompt,
                                      "source": None}
        hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
        masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
        ps = []
        for i in range(len(items)):
            off, sc = D.norm_params(hr_raw[i:i + 1], mod)
            h = (hr_raw[i:i + 1] - off) / sc
            ps.append(D.psnr(pl.ae_roundtrip(h), h, masks[i]))
        res["vae"][subject] = {"modality": mod, "psnr_mask": float(np.mean(ps)), "psnr_mask_min": float(np.min(ps))}
        for kind in KINDS[mod]:
            for s in (2, 4):
                t0 = time.time()
                rows, (lr, hr, x_up, floor), outs = _super_resolve(pl, hr_raw, masks, mod, kind, s, prompt, B)
                for r in rows:
                    r["subject"] = subject
                res["sr_subjects"].extend(rows)
                log(f"[eval] {subject} {kind} x{s}: " + ", ".join(f"{r['method']} {r['psnr_mask']:.2f}" for r in rows)
                    + f" ({time.time() - t0:.0f}s)")
                if not full:
                    continue
                e, d, paths = _uncertainty(pl, hr_raw, masks, mod, kind, s, prompt, n_samples, B)
                unc.setdefault((mod, s), []).append(dict(subject=subject, kind=kind, errors=e, sds=d, paths=paths))
                # what the words do: each kind of input with each degradation word
                for mode in ("auto",) + KINDS[mod]:
                    o = pl.finish(sample(pl, x_up, prompt, s, mode, mod, B, seed=0), lr, s, mode, mod, floor=floor)
                    res["words"].append({"modality": mod, "subject": subject, "degradation": kind, "scale": s, "words": mode,
                                         "psnr_mask": float(np.mean([D.psnr(o[i], hr[i], masks[i]) for i in range(len(items))]))})
                if kind != MAIN_KIND[mod]:
                    continue
                for steps in steps_list:
                    samples = [run_default(pl, lr, x_up, prompt, mod, s, B, floor=floor, steps=steps, seed=k)[0]
                               for k in range(n_samples)]
                    for K in (1, n_samples):
                        mean = torch.stack(samples[:K]).mean(0)     # projections are affine: the mean stays consistent
                        res["steps"].append({"modality": mod, "subject": subject, "degradation": kind, "scale": s,
                                             "steps": steps, "samples": K,
                                             "psnr_mask": float(np.mean([D.psnr(mean[i], hr[i], masks[i]) for i in range(len(items))]))})
                for label, p in (("correct: " + prompt, prompt), ("empty", ""), ("wrong modality: " + WRONG[mod], WRONG[mod])):
                    o = run_default(pl, lr, x_up, p, mod, s, B, floor=floor, seed=0)[0]
                    res["text"].append({"modality": mod, "subject": subject, "degradation": kind, "scale": s, "prompt": label,
                                        "psnr_mask": float(np.mean([D.psnr(o[i], hr[i], masks[i]) for i in range(len(items))]))})
    res["sr"] = _mean_rows(res["sr_subjects"])
    # ---- uncertainty: conformal scale per modality and scale, pooled and per path taken; coverage is reported
    # leave-one-subject-out, so no subject's coverage uses its own errors
    for (mod, s), parts in sorted(unc.items()):
        c_all, by_path, rows = _calibrate(parts)
        res["calibration"].setdefault(mod, {})[str(s)] = c_all
        for path, c in by_path.items():
            res["calibration_path"].setdefault(mod, {}).setdefault(path, {})[str(s)] = c
        res["uncertainty"].extend(dict(r, modality=mod, scale=s, samples=n_samples) for r in rows)
    # ---- external test: other scanners and patients, both kinds of input (and MR lower matrices as magnitudes)
    res["external"] = []
    external = validation_subjects(work, smoke, "external")
    for (mod, subject), items in sorted(external.items()):
        hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
        masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
        for kind in KINDS[mod]:
            for s in (2, 4):
                rows, *_ = _super_resolve(pl, hr_raw, masks, mod, kind, s, items[0][1]["prompt"], B)
                for r in rows:
                    r.update(subject=subject, slices=len(items))
                res["external"].extend(rows)
                log(f"[eval] external {subject} {kind} x{s}: " + ", ".join(f"{r['method']} {r['psnr_mask']:.2f}" for r in rows))
    res["external_magnitude"] = _magnitude_matrices(pl, external, B, log)
    if full:
        res["external_uncertainty"] = _external_coverage(pl, external, res, n_samples, B)
    res["interpolated"] = _interpolated(pl, subjects, B, log)
    res["magnitude_matrices"] = _magnitude_matrices(pl, subjects, B, log)
    res["other_resamplers"] = _other_resamplers(pl, subjects, B, log)
    res["oversampled"] = _oversampled(pl, subjects, B, log)
    res["goals"] = goals(res["sr"])
    res["external_goals"] = goals(_mean_rows(res["external"]))
    res["detector"] = _detector_table(res["sr_subjects"], res["words"])
    if pl.ct_detector is not None:
        res["ct_detector"] = _ct_detector_table(res["sr_subjects"] + res["external"])
    res["calibration_target"] = {"band_sd": COVERAGE_SD, "coverage": COVERAGE_TARGET, "gradient_weight": GRADIENT_WEIGHT}
    return res


def _detector_table(rows, words):
    """How the default pipeline routed each validation input (from the `diffusion` rows), and what a wrong
    call costs there: the told path's PSNR minus the other MR path's (from the `words` rows)."""
    psnr = {(w["subject"], w["degradation"], w["scale"], w["words"]): w["psnr_mask"] for w in words}
    out = []
    for r in rows:
        if r["method"] != "diffusion" or r["modality"] != "MR":
            continue
        m = r["modes"]
        key = (r["subject"], r["degradation"], r["scale"])
        other = "bicubic" if r["degradation"] == "kspace" else "kspace"
        out.append({"subject": r["subject"], "scale": r["scale"], "degradation": r["degradation"],
                    "slices": sum(m.values()), "kspace": m.get("kspace", 0), "resampled": m.get("bicubic", 0),
                    "unsure": m.get("auto", 0),
                    "wrong_path_cost_db": psnr[key + (r["degradation"],)] - psnr[key + (other,)] if key + (other,) in psnr else None})
    right = sum(x["kspace"] if x["degradation"] == "kspace" else x["resampled"] for x in out)
    total = sum(x["slices"] for x in out)
    summary = f"The detector routed {right} of {total} validation MR inputs to the right path ({right / max(total, 1):.1%})."
    cost = {k: [x["wrong_path_cost_db"] for x in out if x["degradation"] == k and x["wrong_path_cost_db"] is not None]
            for k in ("kspace", "bicubic")}
    cost = {k: float(np.mean(v)) for k, v in cost.items() if v}
    if len(cost) == 2:      # the full evaluation runs every input down both paths (the `words` rows)
        summary += (f" A wrong call runs the other grid: here it cost a truncated input {cost['kspace']:.1f} dB and a "
                    f"resampled one {cost['bicubic']:.1f} dB on average, so a slice goes down the k-space path from "
                    f"P(k-space) >= {DET.THRESHOLD:g}, not 0.5 (training/detector.py THRESHOLD).")
    return {"rows": out, "accuracy": right / max(total, 1), "threshold": DET.THRESHOLD, "wrong_path_cost_db": cost,
            "summary": summary}


def _ct_detector_table(rows):
    """How the default pipeline routed each CT input, validation and external (from the `diffusion` rows)."""
    out = [{"subject": r["subject"], "scale": r["scale"], "degradation": r["degradation"], "slices": sum(r["modes"].values()),
            "area": r["modes"].get("area", 0), "resampled": r["modes"].get("bicubic", 0)}
           for r in rows if r["method"] == "diffusion" and r["modality"] == "CT"]
    sent = {k: (sum(x["area"] for x in out if x["degradation"] == k), sum(x["slices"] for x in out if x["degradation"] == k))
            for k in ("area", "bicubic")}
    summary = (f"The CT detector sent {sent['area'][0]} of {sent['area'][1]} detector-pixel (area) CT inputs down the area path "
               f"and {sent['bicubic'][0]} of {sent['bicubic'][1]} resampled ones (P(area) >= {CTD.THRESHOLD:g}: "
               "training/ct_detector.py THRESHOLD); the rest took the resampled path.")
    return {"rows": out, "threshold": CTD.THRESHOLD, "summary": summary}


def goals(sr_rows):
    """Per (modality, kind of input, scale): the default pipeline's gain over the best classical baseline."""
    out = []
    for (mod, kind, s), need in GOALS.items():
        rows = [r for r in sr_rows if (r["modality"], r["degradation"], r["scale"]) == (mod, kind, s)]
        if not rows:
            continue
        base = max((r for r in rows if r["method"] in CLASSICAL), key=lambda r: r["psnr_mask"])
        by = {r["method"]: r for r in rows}
        dif, reg = by["diffusion"], by["regression"]
        out.append({"modality": mod, "degradation": kind, "scale": s, "best_classical": base["method"],
                    "best_classical_psnr": base["psnr_mask"], "diffusion_psnr": dif["psnr_mask"],
                    "gain_db": dif["psnr_mask"] - base["psnr_mask"], "goal_gain_db": need,
                    "gain_met": dif["psnr_mask"] - base["psnr_mask"] >= need,
                    "told_gain_db": by["diffusion, told"]["psnr_mask"] - base["psnr_mask"],
                    "regression_psnr": reg["psnr_mask"], "diffusion_minus_regression_db": dif["psnr_mask"] - reg["psnr_mask"],
                    "within_0_3_db_of_regression": dif["psnr_mask"] >= reg["psnr_mask"] - 0.3})
    return out
