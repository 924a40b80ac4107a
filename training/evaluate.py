"""Evaluation on the validation split: every number of the model card comes from here."""
import json
import os
import time

import numpy as np
import torch

import data
import degrade as D
import pipeline as PL

WRONG = {"MR": "ct head axial", "CT": "mr head t1 axial"}
MAIN_KIND = {"MR": "kspace", "CT": "area"}


def load_split(work, smoke, split):
    """{modality: [(array, meta)]} of one split, in the recipe's order."""
    arrays, meta = data.load(data.prepare(work, smoke=smoke))
    out = {}
    for a, m in zip(arrays, meta["slices"]):
        if m["split"] == split:
            out.setdefault(m["modality"], []).append((a, m))
    return out, meta


def _score(o, hr, masks, lr, s, kind):
    n = len(masks)
    return {"psnr_mask": float(np.mean([D.psnr(o[i], hr[i], masks[i]) for i in range(n)])),
            "ssim_mask": float(np.mean([D.ssim(o[i], hr[i], masks[i]) for i in range(n)])),
            "psnr_whole": float(np.mean([D.psnr(o[i], hr[i]) for i in range(n)])),
            "dc_residual": float(np.mean([D.dc_residual(o[i:i + 1], lr[i:i + 1], s, kind) for i in range(n)]))}


def normalised_pair(hr_raw, mod, kind, s):
    """Degrade the HR slices with `kind` at scale s: (lr, hr, x_up), normalised from each LR slice."""
    n = hr_raw.shape[0]
    lr_raw = torch.cat([D.degrade(hr_raw[i:i + 1], s, kind) for i in range(n)])
    nps = [D.norm_params(lr_raw[i:i + 1], mod) for i in range(n)]
    off = torch.tensor([p[0] for p in nps]).view(-1, 1, 1, 1)
    sc = torch.tensor([p[1] for p in nps]).view(-1, 1, 1, 1)
    lr, hr = (lr_raw - off) / sc, (hr_raw - off) / sc
    return lr, hr, D.upsample_for(lr, s, kind)


def _super_resolve(pl, hr_raw, masks, mod, kind, s, prompt, B=8):
    """Degrade the HR slices with `kind` at scale s; every baseline and model output, scored."""
    n = len(masks)
    lr, hr, x_up = normalised_pair(hr_raw, mod, kind, s)
    outs = {"bicubic": D.upsample(lr, s), "lanczos": D.lanczos(lr, s)}
    if kind == "kspace":
        outs["zero-filled Fourier"] = D.zero_filled(lr, s)
    # not one of the goals' baselines, but it shows how much of a gain the projection alone gives
    outs["bicubic + DC"] = D.data_consistency(outs["bicubic"], lr, s, kind)
    reg = torch.cat([pl.regression(x_up[c]) for c in chunks(n, B)])
    outs["regression"] = reg
    outs["regression + DC"] = D.data_consistency(reg, lr, s, kind)
    dif = torch.cat([pl.sample(x_up[c], prompt, seed=0) for c in chunks(n, B)])
    outs["diffusion (no DC)"] = dif
    outs["diffusion"] = D.data_consistency(dif, lr, s, kind)
    rows = [dict({"modality": mod, "degradation": kind, "scale": s, "method": name}, **_score(o, hr, masks, lr, s, kind))
            for name, o in outs.items()]
    return rows, lr, hr, x_up, outs


def chunks(n, k):
    for i in range(0, n, k):
        yield slice(i, min(n, i + k))


def _pearson(a, b):
    a, b = a - a.mean(), b - b.mean()
    d = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / d) if d > 0 else 0.0


def evaluate(work, pl, smoke=False, log=print, full=True):
    steps_list, n_samples = ((1, 4), 2) if smoke else ((1, 2, 4, 8), 4)
    torch.manual_seed(0)
    val, meta = load_split(work, smoke, "val")
    res = {"definitions": {
        "psnr": "10 log10(2^2 / MSE) in the normalised domain (p_low..p_high or the CT window map to -1..1), "
                "inside the body mask of the HR slice unless marked whole-frame",
        "ssim": "Gaussian-window SSIM (sigma 1.5), averaged inside the body mask",
        "body_mask": "HR > 10% of its 99.5th percentile (MR) or > -500 HU (CT), closed, hole-filled, opened",
        "dc_residual": "||A(out) - lr|| / ||lr|| in the normalised domain, A the degradation",
        "diffusion": "default pipeline: init_strength %.2f, %d steps, 1 sample, guidance 1, then data consistency"
                     % (pl.cfg["init_strength"], pl.cfg["default_steps"]),
    }, "validation": {}, "vae": {}, "sr": [], "steps": [], "dc": [], "text": [], "uncertainty": [], "strength": []}
    B = 8
    for mod, items in sorted(val.items()):
        res["validation"][mod] = {"slices": len(items), "subject": items[0][1]["subject"],
                                  "shape": items[0][1]["shape"], "prompt": items[0][1]["prompt"]}
        prompt = items[0][1]["prompt"]
        hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
        masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
        # ---- autoencoder ceiling (on the HR slices normalised like an x1 input)
        ps, pw = [], []
        for i in range(len(items)):
            off, sc = D.norm_params(hr_raw[i:i + 1], mod)
            h = (hr_raw[i:i + 1] - off) / sc
            r = pl.ae_roundtrip(h)
            ps.append(D.psnr(r, h, masks[i]))
            pw.append(D.psnr(r, h))
        res["vae"][mod] = {"psnr_mask": float(np.mean(ps)), "psnr_whole": float(np.mean(pw)),
                           "psnr_mask_min": float(np.min(ps))}
        log(f"[eval] {mod} autoencoder {np.mean(ps):.2f} dB (mask)")
        for kind in ([MAIN_KIND[mod], "bicubic"]):
            for s in (2, 4):
                t0 = time.time()
                rows, lr, hr, x_up, outs = _super_resolve(pl, hr_raw, masks, mod, kind, s, prompt, B)
                res["sr"].extend(rows)
                dif = outs["diffusion (no DC)"]
                log(f"[eval] {mod} {kind} x{s}: " + ", ".join(
                    f"{r['method']} {r['psnr_mask']:.2f}" for r in res["sr"][-len(outs):]) + f" ({time.time() - t0:.0f}s)")
                if kind != MAIN_KIND[mod] or not full:
                    continue
                # ---- steps x samples, uncertainty
                for steps in steps_list:
                    samples = [torch.cat([pl.sample(x_up[c], prompt, steps=steps, seed=k) for c in chunks(len(items), B)])
                               for k in range(n_samples)]
                    for K in (1, n_samples):
                        st = torch.stack(samples[:K])
                        mean = D.data_consistency(st.mean(0), lr, s, kind)
                        res["steps"].append({"modality": mod, "degradation": kind, "scale": s, "steps": steps,
                                             "samples": K,
                                             "psnr_mask": float(np.mean([D.psnr(mean[i], hr[i], masks[i]) for i in range(len(items))])),
                                             "ssim_mask": float(np.mean([D.ssim(mean[i], hr[i], masks[i]) for i in range(len(items))]))})
                        if K == n_samples and steps == pl.cfg["default_steps"]:
                            dcs = torch.stack([D.data_consistency(x, lr, s, kind) for x in st])
                            std = dcs.std(0, unbiased=True)
                            err = (dcs.mean(0) - hr).abs()
                            cors = [_pearson(std[i].squeeze().numpy()[masks[i]], err[i].squeeze().numpy()[masks[i]])
                                    for i in range(len(items))]
                            res["uncertainty"].append({"modality": mod, "degradation": kind, "scale": s, "samples": n_samples,
                                                       "steps": steps, "pearson_std_abs_error": float(np.mean(cors)),
                                                       "mean_std": float(np.mean([std[i].squeeze().numpy()[masks[i]].mean() for i in range(len(items))])),
                                                       "mean_abs_error": float(np.mean([err[i].squeeze().numpy()[masks[i]].mean() for i in range(len(items))]))})
                # ---- start strength (init_strength) at the default number of steps
                for strength in ((0.1, 0.3) if smoke else (0.1, 0.2, 0.3, 0.4)):
                    o = torch.cat([pl.sample(x_up[c], prompt, strength=strength, seed=0) for c in chunks(len(items), B)])
                    o = D.data_consistency(o, lr, s, kind)
                    res["strength"].append({"modality": mod, "degradation": kind, "scale": s, "init_strength": strength,
                                            "psnr_mask": float(np.mean([D.psnr(o[i], hr[i], masks[i]) for i in range(len(items))])),
                                            "ssim_mask": float(np.mean([D.ssim(o[i], hr[i], masks[i]) for i in range(len(items))]))})
                # ---- data consistency residual before/after
                res["dc"].append({"modality": mod, "degradation": kind, "scale": s,
                                  "before": float(np.mean([D.dc_residual(dif[i:i + 1], lr[i:i + 1], s, kind) for i in range(len(items))])),
                                  "after": float(np.mean([D.dc_residual(outs["diffusion"][i:i + 1], lr[i:i + 1], s, kind) for i in range(len(items))]))})
                # ---- text-conditioning ablation
                for label, p in (("correct: " + prompt, prompt), ("empty", ""), ("wrong modality: " + WRONG[mod], WRONG[mod])):
                    o = torch.cat([pl.sample(x_up[c], p, seed=0) for c in chunks(len(items), B)])
                    o = D.data_consistency(o, lr, s, kind)
                    res["text"].append({"modality": mod, "degradation": kind, "scale": s, "prompt": label,
                                        "psnr_mask": float(np.mean([D.psnr(o[i], hr[i], masks[i]) for i in range(len(items))])),
                                        "ssim_mask": float(np.mean([D.ssim(o[i], hr[i], masks[i]) for i in range(len(items))]))})
                log(f"[eval] {mod} {kind} x{s} ablations done ({time.time() - t0:.0f}s)")
    # ---- external test: other scanners and patients, main degradation only, no choice made on it
    res["external"] = []
    ext, _ = load_split(work, smoke, "external")
    by_subject = {}
    for mod, items in sorted(ext.items()):
        for item in items:
            by_subject.setdefault((mod, item[1]["subject"]), []).append(item)
    for (mod, _), items in sorted(by_subject.items()):
        hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
        masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
        for s in (2, 4):
            rows, *_ = _super_resolve(pl, hr_raw, masks, mod, MAIN_KIND[mod], s, items[0][1]["prompt"], B)
            for r in rows:
                r.update(subject=items[0][1]["subject"], slices=len(items))
            res["external"].extend(rows)
            log(f"[eval] external {items[0][1]['subject']} {mod} x{s}: " + ", ".join(
                f"{r['method']} {r['psnr_mask']:.2f}" for r in rows))
    # ---- goals
    goals = {("MR", 2): 3.0, ("MR", 4): 2.0, ("CT", 2): 2.0, ("CT", 4): 1.5}
    res["goals"] = []
    for (mod, s), need in goals.items():
        rows = [r for r in res["sr"] if r["modality"] == mod and r["scale"] == s and r["degradation"] == MAIN_KIND[mod]]
        if not rows:
            continue
        base = max((r for r in rows if r["method"] in ("bicubic", "lanczos", "zero-filled Fourier")), key=lambda r: r["psnr_mask"])
        base_ssim = max(r["ssim_mask"] for r in rows if r["method"] in ("bicubic", "lanczos", "zero-filled Fourier"))
        dif = [r for r in rows if r["method"] == "diffusion"][0]
        reg = [r for r in rows if r["method"] == "regression + DC"][0]
        res["goals"].append({"modality": mod, "scale": s, "degradation": MAIN_KIND[mod],
                             "best_classical": base["method"], "best_classical_psnr": base["psnr_mask"],
                             "diffusion_psnr": dif["psnr_mask"], "gain_db": dif["psnr_mask"] - base["psnr_mask"],
                             "goal_gain_db": need, "gain_met": dif["psnr_mask"] - base["psnr_mask"] >= need,
                             "ssim_above_baseline": dif["ssim_mask"] > base_ssim,
                             "regression_psnr": reg["psnr_mask"],
                             "diffusion_minus_regression_db": dif["psnr_mask"] - reg["psnr_mask"],
                             "within_0_5_db_of_regression": dif["psnr_mask"] >= reg["psnr_mask"] - 0.5})
    return res
