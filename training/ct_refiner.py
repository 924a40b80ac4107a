"""Stage 6 (model 2.9.0): the MR refiner's network fine-tuned for CT's two told paths (area, bicubic), shipped as
`ct_refiner.onnx` beside the MR refiner.

Why: the MR refiner sharpens what the latent U-Net's 4x4 blocks leave soft on MR; run as it is after CT's paths it
gained on some CT slices (the Hitachi slice's resampled x2 input +0.85 -> +2.01 dB) and lost on others (GE at x4:
-0.8 dB). Fine-tuned on CT alone, starting from the MR refiner's shipped weights, with the squared error after each
sample's own projection (blur + block means, or the bicubic one), it gained at x2 on every external CT slice but a
lossy one (card notes), but lost at x4 on the Hitachi slice: it runs at x2 only (PASSES).
"""
import torch
import torch.nn.functional as F

import degrade as D
import precision as PR
import refiner as R

MODALITIES = ("CT",)
DEGRADATIONS = ("area", "bicubic")
# passes per path and scale; 0: not at that scale (at x4 the fine-tune lost 0.3 dB on the Hitachi slice, both inputs)
PASSES = {"area": {2: 1, 4: 0}, "bicubic": {2: 1, 4: 0}}
STAGE = "ct_refiner"


def applies(mode, modality):
    """Whether the product runs the CT refiner for a slice taken down this path (at the scale's PASSES)."""
    return mode in DEGRADATIONS and modality in MODALITIES


def sampling_steps(cfg, mode, modality, s):
    """The diffusion's DDIM steps for a slice on this path and scale when the request names none: `ref_steps` where the
    CT refiner follows (CT at x2: one step cost at most 0.05 dB there, and a U-Net call), else refiner.sampling_steps."""
    if cfg.get("ct_ref_iters") and applies(mode, modality) and PASSES[mode].get(s, 0):
        return cfg["ref_steps"]
    return R.sampling_steps(cfg, mode, modality)


def sampler_cfg(cfg):
    """The training sampler's mix for this stage: CT only, every sample told (area or resampled)."""
    out = dict(cfg)
    out.update(ct_p=1.0, photo_p=0.0, auto_p={"MR": 0.0, "CT": 0.0})
    return out


def project(y, lr, s, kinds, differentiable=False):
    """Each CT sample projected for its own path (`kinds`): the product's exact projection, or its differentiable
    version for the loss."""
    return D.per_sample_consistency(y, lr, s, kinds, ["CT"] * len(kinds), differentiable)


def step(net, pl, sampler, it, cfg, dev):
    """One training loss: the frozen diffusion's projected CT sample in (with the product's steps for the scale: model
    2.9.0's weights were trained on 2-step samples throughout), the squared error after the projection, plus a little
    of it before."""
    s = 2 + 2 * (it % 2)
    b = sampler.batch(cfg["ref_batch"], cfg["ref_patch"], s)
    hr, lr = b["hr"].to(dev), b["lr"].to(dev)
    steps = sampling_steps(cfg, "area", "CT", s)      # both CT paths take the same steps
    y = project(PR.frozen_sample(pl, b, steps, it, cfg, dev), lr, s, b["kinds"])
    out = net(y, torch.full((y.shape[0],), float(s), device=dev))
    return F.mse_loss(project(out, lr, s, b["kinds"], True), hr) + cfg["pre_dc_weight"] * F.mse_loss(out, hr)


def refine(net, projected, lr, s, mode, floor=None):
    """The CT refiner on samples projected for path `mode`, then that projection again, PASSES[mode][s] times."""
    return R.refine(net, projected, lr, s, mode, passes=PASSES[mode].get(s, 0), floor=floor)


def params(iterations, steps):
    """The manifest's `ct_refiner` entry (the graph is `ct_refiner.onnx`, the MR refiner's inputs and outputs); `steps`:
    the diffusion's default steps where it follows (sampling_steps)."""
    return {"graph": "ct_refiner", "modalities": list(MODALITIES), "degradations": list(DEGRADATIONS),
            "train_iterations": iterations, "steps": steps,
            "passes": {k: {str(s): n for s, n in v.items()} for k, v in PASSES.items()}}
