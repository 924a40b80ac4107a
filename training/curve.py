"""Validation scores while training: the card's learning curve.

Every `curve_every` iterations of the regression and diffusion stages, the EMA networks are scored
on the validation split in the product's default mode (degradation unknown: `auto` words and the
auto projection) on both kinds of input of each modality (MR: lower acquisition matrix and
resampled; CT: detector blur + area and resampled), x2 and x4: the gain in body-mask PSNR over the
best classical baseline, averaged over validation subjects, kept in <run>/curve.json. It answers
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
import prompt as P
import refiner as R

KINDS = {"MR": ("kspace", "bicubic"), "CT": ("area", "bicubic")}


class Probe:
    def __init__(self, work, smoke, run_dir):
        self.path = os.path.join(run_dir, "curve.json")
        self.rows = json.load(open(self.path)) if os.path.exists(self.path) else []
        self.cases = []
        for (mod, subject), items in sorted(E.validation_subjects(work, smoke).items()):
            hr_raw = torch.stack([torch.from_numpy(a)[None] for a, _ in items])
            masks = [D.body_mask(hr_raw[i:i + 1], mod) for i in range(len(items))]
            for kind in KINDS[mod]:
                for s in (2, 4):
                    lr, hr, x_up, _ = E.normalised_pair(hr_raw, mod, kind, s)   # the probe of every earlier row: no storage floor
                    best = max(_psnr(o, hr, masks) for o in E.classical(lr, s, kind).values())
                    self.cases.append(dict(modality=mod, subject=subject, kind=kind, scale=s, lr=lr, hr=hr, x_up=x_up,
                                           masks=masks, content=items[0][1]["prompt"],
                                           prompt=P.conditioned(items[0][1]["prompt"], s, "auto"), best_classical=best))

    def __call__(self, stage, it, pl):
        """Score pipeline `pl` (regression or diffusion, by stage) after iteration `it`."""
        gains = {}
        for c in self.cases:
            n = len(c["masks"])
            if stage == "regression":
                out = torch.cat([pl.regression(c["x_up"][k]) for k in E.chunks(n, 8)])
            else:
                out = torch.cat([pl.sample(c["x_up"][k], c["prompt"], seed=0) for k in E.chunks(n, 8)])
            out = D.consistency(out, c["lr"], c["scale"], "auto", c["modality"])
            key = f"{c['modality']} {c['kind']} x{c['scale']}"
            gains.setdefault(key, []).append(self.psnr(out, c) - c["best_classical"])
        return self.record(stage, it, {k: float(np.mean(v)) for k, v in gains.items()})

    @staticmethod
    def psnr(out, case):
        """Mean body-mask PSNR of an output batch against a case's HR slices."""
        return _psnr(out, case["hr"], case["masks"])

    def record(self, stage, it, gains):
        """Keep one curve row (stage, iteration, gain per case) in <run>/curve.json; returns it."""
        row = {"stage": stage, "iteration": it, **{k: round(v, 3) for k, v in gains.items()}}
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


class RefinerProbe:
    """The curve's refiner rows: validation inputs on the refiner's paths (MR lower matrix and resampled) through the frozen
    diffusion with their words and projection, sampled once (`pl`); each call scores the refiner's EMA weights."""

    def __init__(self, curve_probe, pl):
        self.curve = curve_probe
        self.cases = []
        for c in curve_probe.cases:
            if R.applies(c["kind"], c["modality"]):
                y = E.sample(pl, c["x_up"], c["content"], c["scale"], c["kind"], c["modality"], seed=0)
                self.cases.append(dict(c, projected=D.data_consistency(y, c["lr"], c["scale"], c["kind"])))

    def __call__(self, net, it, stage="refiner"):
        gains = {}
        for c in self.cases:
            out = R.refine(net, c["projected"], c["lr"], c["scale"], c["kind"])
            gains.setdefault(f"{c['modality']} {c['kind']} x{c['scale']}", []).append(
                self.curve.psnr(out, c) - c["best_classical"])
        return self.curve.record(stage, it, {k: float(np.mean(v)) for k, v in gains.items()})
