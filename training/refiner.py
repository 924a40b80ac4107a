"""Stage 5: the pixel-space detail network that follows the latent diffusion on the MR k-space path.

Why: the latent U-Net works on 4x4 blocks (f = 4), so every edge has 16 phases to learn and the
finest detail of a x2 MR slice (Gibbs ringing at edges, the band just outside the acquired matrix)
is where it is weakest; 10000 more diffusion iterations leaning on MR k-space inputs moved them
by 0.1 dB (card notes). This network works on 2x2 blocks of the diffusion output *after* its
k-space projection, is trained only for MR lower-matrix inputs (x2 and x4, told by a scale plane)
with the loss taken after the projection again, and predicts a zero-initialised residual: at its
start it leaves the diffusion output as it is. The diffusion networks are frozen while it trains;
its inputs are exactly the product's (the default sampler with the k-space words, then the exact
projection). The product then projects its output once more (src/pipeline/refine.ts).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import degrade as D
import models

MODALITIES = ("MR",)
# The paths it runs on. It trains on lower-matrix inputs only, but on the resampled MR path (then the exact
# bicubic projection) one pass gained +0.4 to +0.7 dB at x2 and +0.3 to +0.4 at x4 on every MR validation
# subject, +0.1 to +1.05 on the external Toshiba and Siemens ASL slices (model 2.4.0): it sharpens what
# the latent U-Net's 4x4 blocks leave soft, whichever grid the projection then enforces.
DEGRADATIONS = ("kspace", "bicubic")
# Passes per path and scale, each the refiner then the path's projection. A refiner trained for one pass, like
# any regression to the mean, stops short: run again on its own projected k-space x2 output (models 2.4.0-2.7.0),
# it moved each MR validation subject further the right way (+0.05 dB on average with model 2.7.0's weights),
# but the pass costs a third of the x2 slice's time and took it over issue 12's 1 s budget on the development
# machines of late (1186 ms for 512 x 512); model 2.8.0 runs one pass everywhere.
PASSES = {"kspace": {2: 1, 4: 1}, "bicubic": {2: 1, 4: 1}}


class Refiner(nn.Module):
    """[B,1,H,W] projected image (H, W even) and [B] scale -> [B,1,H,W] image + residual."""

    def __init__(self, width=48, blocks=6):
        super().__init__()
        self.inp = nn.Conv2d(4 + 1, width, 3, padding=1)
        self.body = nn.Sequential(*[models.PlainRes(width) for _ in range(blocks)])
        self.out = nn.Conv2d(width, 4, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, image, scale):
        x = F.pixel_unshuffle(image, 2)
        plane = (scale.view(-1, 1, 1, 1) / 4.0) * torch.ones_like(x[:, :1])
        h = self.body(self.inp(torch.cat([x, plane], 1)))
        return image + F.pixel_shuffle(self.out(F.silu(h)), 2)


def applies(mode, modality):
    """Whether the product runs the refiner for a slice taken down this path."""
    return mode in DEGRADATIONS and modality in MODALITIES


def sampling_steps(cfg, mode, modality):
    """The diffusion's DDIM steps for a slice on this path when the request names none: `ref_steps` where a refiner
    follows (one step: the second added nothing the refiner does not, and cost a U-Net call), else `default_steps`."""
    return cfg["ref_steps"] if cfg["ref_iters"] and applies(mode, modality) else cfg["default_steps"]


@torch.no_grad()
def refine(net, projected, lr, s, mode="kspace", batch=8, passes=None, floor=None, gaussian_share=0.0):
    """The refiner on samples projected for path `mode`, then that projection again (with the input's storage `floor` and
    the resampled path's `gaussian_share`: degrade.data_consistency), PASSES[mode][s] times unless told (what every score
    and the product use)."""
    n = projected.shape[0]
    out = projected
    for _ in range(PASSES[mode].get(s, 1) if passes is None else passes):
        out = torch.cat([net(out[i:i + batch], torch.full((min(batch, n - i),), float(s), device=out.device))
                         for i in range(0, n, batch)])
        out = D.data_consistency(out, lr, s, mode, floor, gaussian_share)
    return out


def sampler_cfg(cfg):
    """The training sampler's mix for this stage: MR (and photographs) only, all lower-matrix, all told."""
    out = dict(cfg)
    out.update(ct_p=0.0, mr_kspace_p=1.0, auto_p={"MR": 0.0, "CT": 0.0})
    return out


def step(net, pl, sampler, it, cfg, dev, loss=F.l1_loss):
    """One training loss: the frozen diffusion's projected sample in, `loss` (L1; the polish: squared error) after
    the projection, plus a little of it before."""
    s = 2 + 2 * (it % 2)
    b = sampler.batch(cfg["ref_batch"], cfg["ref_patch"], s)
    hr, lr = b["hr"].to(dev), b["lr"].to(dev)
    with torch.no_grad():
        y = D.data_consistency(pl.sample(b["x_up"].to(dev), b["prompts"], steps=sampling_steps(cfg, "kspace", "MR"), seed=it),
                               lr, s, "kspace")
    out = net(y, torch.full((y.shape[0],), float(s), device=dev))
    projected = D.training_consistency(out, lr, s, "kspace", "MR")
    return loss(projected, hr) + cfg["pre_dc_weight"] * loss(out, hr)


def params(iterations, steps):
    """The manifest's `refiner` entry (the graph is `refiner.onnx`: inputs image and scale, output `output`); `steps`:
    the diffusion's default steps on its paths (sampling_steps)."""
    return {"graph": "refiner", "modalities": list(MODALITIES), "degradations": list(DEGRADATIONS),
            "train_iterations": iterations, "steps": steps,
            "passes": {mode: {str(s): n for s, n in by_scale.items()} for mode, by_scale in PASSES.items()}}
