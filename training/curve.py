"""Validation scores while training: the card's learning curve.

Every `curve_every` iterations of the regression and diffusion stages, the EMA networks are scored
on the validation split (main degradation per modality, x2 and x4, PSNR in the body mask after data
consistency) and the gain over the best classical baseline is kept in <run>/curve.json. It answers
the question a longer run would ask: is the model still improving when training stops?

It uses no global RNG (the diffusion sample has its own seeded generator) and runs without
gradients, so a run with the probe trains exactly the same networks as one without it.
"""
import json
import os

import numpy as np
import torch

import degrade as D
import evaluate as E
import pipeline as PL


class Probe:
    def __init__(self, work, smoke, run_dir):
        self.path = os.path.join(run_dir, "curve.json")
        self.rows = json.load(open(self.path)) if os.path.exists(self.path) else []
        val, _ = E.load_split(work, smoke, "val")
        self.cases = []
        for mod, items in sorted(val.items()):
            hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
            masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
            kind = E.MAIN_KIND[mod]
            for s in (2, 4):
                lr, hr, x_up = E.normalised_pair(hr_raw, mod, kind, s)
                classical = {"bicubic": D.upsample(lr, s), "lanczos": D.lanczos(lr, s)}
                if kind == "kspace":
                    classical["zero-filled Fourier"] = D.zero_filled(lr, s)
                best = max(_psnr(o, hr, masks) for o in classical.values())
                self.cases.append(dict(modality=mod, kind=kind, scale=s, lr=lr, hr=hr, x_up=x_up, masks=masks,
                                       prompt=items[0][1]["prompt"], best_classical=best))

    def __call__(self, stage, it, pl):
        """Score pipeline `pl` (regression or diffusion, by stage) after iteration `it`."""
        row = {"stage": stage, "iteration": it}
        for c in self.cases:
            n = len(c["masks"])
            if stage == "regression":
                out = torch.cat([pl.regression(c["x_up"][k]) for k in E.chunks(n, 8)])
            else:
                out = torch.cat([pl.sample(c["x_up"][k], c["prompt"], seed=0) for k in E.chunks(n, 8)])
            out = D.data_consistency(out, c["lr"], c["scale"], c["kind"])
            row[f"{c['modality']} x{c['scale']}"] = round(_psnr(out, c["hr"], c["masks"]) - c["best_classical"], 3)
        self.rows = [r for r in self.rows if (r["stage"], r["iteration"]) != (stage, it)] + [row]
        with open(self.path + ".tmp", "w") as f:
            json.dump(self.rows, f, indent=1)
        os.replace(self.path + ".tmp", self.path)
        return row


def _psnr(out, hr, masks):
    return float(np.mean([D.psnr(out[i], hr[i], masks[i]) for i in range(len(masks))]))


def load(run_dir):
    path = os.path.join(run_dir, "curve.json")
    return json.load(open(path)) if os.path.exists(path) else []
