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
import precision as PR

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


def _inputs(pl, sampler, it, cfg, dev, s):
    """A training batch at scale s: the frozen diffusion's projected sample (diffusion seed `it`), the LR and HR
    patches, and s."""
    b = sampler.batch(cfg["ref_batch"], cfg["ref_patch"], s)
    hr, lr = b["hr"].to(dev), b["lr"].to(dev)
    y = D.data_consistency(PR.frozen_sample(pl, b, sampling_steps(cfg, "kspace", "MR"), it, cfg, dev), lr, s, "kspace")
    return y, lr, hr, s


def _loss(net, batch, cfg, loss):
    """net's output on a batch, and `loss` after the projection plus a little of it before."""
    y, lr, hr, s = batch
    out = net(y, torch.full((y.shape[0],), float(s), device=y.device))
    return out, loss(D.training_consistency(out, lr, s, "kspace", "MR"), hr) + cfg["pre_dc_weight"] * loss(out, hr)


def step(net, pl, sampler, it, cfg, dev, loss=F.l1_loss):
    """One training loss: the frozen diffusion's projected sample in, `loss` (L1; the polish: squared error) after
    the projection, plus a little of it before."""
    return _loss(net, _inputs(pl, sampler, it, cfg, dev, 2 + 2 * (it % 2)), cfg, loss)[1]


# Stage 5b, the pruning: the polished refiner is half of a 512 x 512 slice's time on two CPU cores (issue 12's budget is
# 1 s). Left out one at a time, its residual blocks cost the validation from nothing (x4) to 0.26 dB (x2); without the
# two that cost least and fine-tuned (model 2.11.0), it came back to within 0.03 dB at x2 and 0.003 at x4 for a
# quarter less work (card notes).
PRUNE_STAGE = "refiner_pruned"


def pruning(cfg):
    """Whether the run prunes its refiner (the shipped refiner is then the pruned one)."""
    return 0 < cfg.get("ref_keep_blocks", 0) < cfg["ref_blocks"] and cfg.get("ref_prune_iters", 0) > 0


def shipped_blocks(cfg):
    return cfg["ref_keep_blocks"] if pruning(cfg) else cfg["ref_blocks"]


def pruned(net, keep):
    """A refiner of net's residual blocks `keep` (indices, in order) between net's first and last convolutions."""
    out = Refiner(net.inp.out_channels, len(keep)).to(net.inp.weight.device)
    out.inp.load_state_dict(net.inp.state_dict())
    out.out.load_state_dict(net.out.state_dict())
    for j, i in enumerate(keep):
        out.body[j].load_state_dict(net.body[i].state_dict())
    return out


@torch.no_grad()
def lesion_order(net, pl, sampler, cfg, dev, batches=8, seed=0):
    """net's residual blocks, the one whose absence raises the polish's loss least first: the mean ratio of the loss
    without it to the loss with every block, over `batches` fixed training batches (x2 and x4 alike, so that the
    larger x4 errors do not outweigh x2)."""
    data = [_inputs(pl, sampler, seed + i, cfg, dev, 2 + 2 * (i % 2)) for i in range(batches)]
    full = [_loss(net, b, cfg, F.mse_loss)[1].item() for b in data]
    n = len(net.body)
    rise = []
    for i in range(n):
        without = pruned(net, [j for j in range(n) if j != i]).eval()
        rise.append(sum(_loss(without, b, cfg, F.mse_loss)[1].item() / f for b, f in zip(data, full)) / len(data))
    return sorted(range(n), key=rise.__getitem__)


def distil_step(net, teacher, pl, sampler, it, cfg, dev):
    """The pruned refiner's loss: the polish's (squared error after the projection, a little before), plus
    ref_prune_teacher x the squared distance to the unpruned refiner's output, which keeps what the loss does not train
    (the resampled path, where the refiner runs too)."""
    batch = _inputs(pl, sampler, it, cfg, dev, 2 + 2 * (it % 2))
    with torch.no_grad():
        target = teacher(batch[0], torch.full((batch[0].shape[0],), float(batch[3]), device=dev))
    out, loss = _loss(net, batch, cfg, F.mse_loss)
    return loss + cfg["ref_prune_teacher"] * F.mse_loss(out, target)


# Stage 5c, the zoom: the training MR are 1-2 mm scans, and inputs with finer pixels (a scan enlarged by a PACS's or
# scanner's bicubic zoom, or a 0.4-0.5 mm clinical matrix) were sharpened as if their pixels were as coarse. The
# diffusion is fine-tuned with zoom_p of its MR and photograph slices zoomed first (stage 3b, train.DM_ZOOM_STAGE; as
# CT's are throughout, `refine_p`), and so is the refiner, last (card notes: the oversampled table).
ZOOM_STAGE = "refiner_zoom"


def zooming(cfg):
    """Whether the run ends its refiner with the zoom fine-tuning (the shipped refiner is then that one)."""
    return cfg.get("ref_zoom_iters", 0) > 0


def zoom_mix(cfg):
    """The zoom stages' (3b, 5c) additions to a sampler mix: zoom_p of the MR and photograph slices zoomed, contrast_p of
    the MR slices given another contrast (train.Sampler.geometry)."""
    return {"mr_zoom_p": cfg["zoom_p"], "mr_contrast_p": cfg.get("contrast_p", 0.0)}


def zoom_sampler_cfg(cfg):
    """The zoom stage's sampler mix: the refiner's, with the zoom stages' additions (zoom_mix)."""
    return dict(sampler_cfg(cfg), **zoom_mix(cfg))


def shipped_stage(cfg):
    """The stage whose EMA weights the product's refiner holds: the last one the run trains."""
    if zooming(cfg):
        return ZOOM_STAGE
    if pruning(cfg):
        return PRUNE_STAGE
    return "refiner_polish" if cfg.get("ref_polish_iters", 0) else "refiner"


def params(iterations, steps):
    """The manifest's `refiner` entry (the graph is `refiner.onnx`: inputs image and scale, output `output`); `steps`:
    the diffusion's default steps on its paths (sampling_steps)."""
    return {"graph": "refiner", "modalities": list(MODALITIES), "degradations": list(DEGRADATIONS),
            "train_iterations": iterations, "steps": steps,
            "passes": {mode: {str(s): n for s, n in by_scale.items()} for mode, by_scale in PASSES.items()}}
