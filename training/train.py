"""Training stages (autoencoder -> regression -> text encoder + diffusion U-Net -> degradation detectors (MR, then
CT) -> MR k-space refiner -> CT refiner), resumable.

The settings are `config.TrainConfig` (typed, each with its help: `recipe.py --help-config`), read here as a dict.

Each stage checkpoints to <run>/<stage>.pt every `ckpt_every` iterations (model, EMA,
optimizer and RNG state) and writes <run>/<stage>.done when finished; rerunning resumes.
"""
import copy
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

import augment
import config
import ct_detector as CTD
import ct_refiner as CTR
import curve
import data
import degrade as D
import detector as DET
import resampler_detector as RD
import models
import pipeline as PL
import precision as PR
import prompt as P
import refiner as REF
from seeded import Seeded

CONFIGS = config.CONFIGS
# Stage 3b: the training MR are 1-2 mm scans, and the diffusion sharpened inputs with finer pixels (a scan enlarged by a
# PACS's or scanner's bicubic zoom, a 0.4-0.5 mm clinical matrix) as if their pixels were as coarse; fine-tuned with
# zoomed MR and photographs (`zoom_p`, augment.zoomed), it keeps their detail to what they hold (card: the oversampled
# table). The refiner's last stage does the same (refiner.ZOOM_STAGE).
DM_ZOOM_STAGE = "diffusion_zoom"


def device():
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def build(cfg):
    ae = models.AutoEncoder(cfg["f"], cfg["latent_ch"], cfg["ae_width"], cfg["ae_enc_blocks"],
                            cfg["ae_dec_blocks"])
    te = models.TextEncoder(len(P.VOCAB), cfg["text_dim"], P.MAX_LENGTH, cfg["text_layers"])
    un = models.DiffusionUNet(cfg["latent_ch"], tuple(cfg["unet_chs"]), cfg["text_dim"],
                              models.alphas_cumprod(cfg) if cfg.get("dm_residual") else None)
    rg = models.Regression(cfg["f"], tuple(cfg["unet_chs"]))
    return ae, te, un, rg


# ------------------------------------------------------------------------------ batches
class Sampler(Seeded):
    def __init__(self, arrays, meta, cfg, seed):
        self.cfg = cfg
        self.train = [(torch.from_numpy(a)[None, None], m) for a, m in zip(arrays, meta["slices"])
                      if m["split"] == "train"]
        self.ct = [i for i, (_, m) in enumerate(self.train) if m["modality"] == "CT"]
        self.mr = [i for i, (_, m) in enumerate(self.train) if m["modality"] == "MR"]
        self.photo = [i for i, (_, m) in enumerate(self.train) if m["modality"] == "PHOTO"]
        super().__init__(seed)

    def prompt(self, text):
        r = self.rng
        if r.random() < self.cfg["prompt_dropout"]:
            return ""
        w = text.split()
        w = [w[0]] + [x for x in w[1:] if r.random() >= self.cfg["word_dropout"]]
        return " ".join(w)

    def geometry(self, x, m, patch):
        """Rotation/flip, then (randomly) a coarser or finer pixel and a cut field of view; None if too small.

        Coarsening (antialiased x1/2) lets the 1 mm training scans also teach 2 mm anatomy, the
        pixel size of many clinical and validation scans. Refining the one training CT (0.96 mm,
        256 x 256) by a bicubic zoom of 1.3-2.2 gives the smooth look per pixel of clinical 512 x 512
        head CTs (0.4-0.5 mm): without it the networks sharpen such inputs as if they were 1.9 mm
        pixels, and lose to bicubic + DC on an external head CT. The zoom stages (the diffusion's 3b, the
        refiner's 5c) zoom MR and photographs the same way (`mr_zoom_p`, which only they set), for MR
        scans with finer pixels than any training MR, and give some MR slices another tissue contrast
        (`mr_contrast_p`, theirs too). The field-of-view cut puts anatomy on the image edge, as in
        scans whose field of view clips the head: k-space truncation then rings across the periodic
        wrap, which uncut training slices never show.
        """
        r, cfg = self.rng, self.cfg
        x = torch.rot90(x, r.randrange(4), (2, 3))
        if r.random() < 0.5:
            x = torch.flip(x, (3,))
        if m["modality"] in ("MR", "PHOTO") and min(x.shape[-2:]) >= 2 * patch and r.random() < cfg.get("coarsen_p", 0):
            x = D.bicubic_down(x, 2).clamp(min=0)
        if m["modality"] == "CT":
            if r.random() < cfg.get("refine_p", 0):
                x = augment.zoomed(x, r)
        elif cfg.get("mr_zoom_p", 0) and r.random() < cfg["mr_zoom_p"]:    # only then: other stages' draws stay as they were
            x = augment.zoomed(x, r)
        if m["modality"] == "MR" and cfg.get("mr_contrast_p", 0) and r.random() < cfg["mr_contrast_p"]:    # the same
            x = augment.another_contrast(x, r)
        if r.random() < cfg.get("fov_crop_p", 0):
            H, W = x.shape[-2:]
            h = r.randrange(max(patch, int(0.6 * H)) // 4, H // 4 + 1) * 4
            w = r.randrange(max(patch, int(0.6 * W)) // 4, W // 4 + 1) * 4
            i, j = r.randrange(0, H - h + 1), r.randrange(0, W - w + 1)
            x = x[..., i:i + h, j:j + w]
        H, W = x.shape[-2:]
        x = x[..., : H - H % 4, : W - W % 4]
        return x if min(x.shape[-2:]) >= patch else None

    def batch(self, n, patch, scale, per_slice=2, blind=False):
        """n training pairs at one scale (the LR patches must share a shape), each degraded on its own.

        Every patch is cut from the HR slice first and then degraded as a whole image, so its LR patch
        is exactly what the degradation makes of it and the loss can be taken after the projection.
        Returns dict(hr, lr, x_up [normalised], kinds (projection per sample), prompts (task words
        first), modalities). blind=True: every sample is an `auto` one (the regression baseline).
        """
        r, cfg = self.rng, self.cfg
        out = {k: [] for k in ("hr", "lr", "x_up", "kinds", "prompts", "modalities")}
        while len(out["hr"]) < n:
            u = r.random()
            if self.photo and u < cfg.get("photo_p", 0):
                pool = self.photo
            elif self.ct and u < cfg.get("photo_p", 0) + cfg["ct_p"]:
                pool = self.ct
            else:
                pool = self.mr
            x, m = self.train[r.choice(pool)]
            x = self.geometry(x, m, patch)
            if x is None:
                continue
            mod = m["modality"]
            if mod == "PHOTO":
                x = self.photo_curve(x)
            for _ in range(per_slice):
                hrp = self.crop(x, mod, patch)
                lr, hr, kind, told = self.degrade(hrp, x, mod, scale, blind)
                like = "CT" if mod == "CT" else "MR"
                off, sc = D.norm_params(x if like == "MR" else lr, like)
                lrn, hrn = (lr - off) / sc, (hr - off) / sc
                if r.random() < 0.5:                  # intensity scaling about the background level
                    a = r.uniform(0.85, 1.15)
                    hrn, lrn = (hrn + 1) * a - 1, (lrn + 1) * a - 1
                out["hr"].append(hrn)
                out["lr"].append(lrn)
                out["x_up"].append(D.upsample_for(lrn, scale, like))
                out["kinds"].append(told or "auto")
                content = self.prompt(m["prompt"]) if mod != "PHOTO" else ""
                out["prompts"].append(P.conditioned(content, scale, told or "auto"))
                out["modalities"].append(mod)
                if len(out["hr"]) == n:
                    break
        for k in ("hr", "lr", "x_up"):
            out[k] = torch.cat(out[k])
        return out

    def photo_curve(self, x):
        """Greyscale photograph -> tissue-like contrast: random gamma, sometimes inverted, dark margin kept."""
        r = self.rng
        y = (x - x.min()) / (x.max() - x.min()).clamp(min=1e-6)
        y = y ** r.uniform(0.5, 2.0)
        if r.random() < 0.3:
            y = 1 - y
        return y * r.uniform(100.0, 1000.0)

    def crop(self, x, mod, patch):
        """A patch x patch window, preferring windows that are mostly body (medical slices)."""
        r = self.rng
        H, W = x.shape[-2:]
        body = None if mod == "PHOTO" else (x > -500 if mod == "CT" else x > 0.1 * float(torch.quantile(x.flatten()[::7], 0.995)))
        for _try in range(6):
            i = r.randrange(0, H - patch + 1)
            j = r.randrange(0, W - patch + 1)
            if body is None or body[..., i:i + patch, j:j + patch].float().mean() > 0.3:
                break
        return x[..., i:i + patch, j:j + patch]

    def degrade(self, hr, slice_, mod, s, blind):
        """(lr, hr_target, kind, told): told is the degradation word given to the network, None for auto.

        MR and photographs: noisy magnitude images like real scans (complex Gaussian noise, the same
        noisy complex image behind HR and LR), then either a lower acquisition matrix (central k-space,
        magnitude) or resampling of the noisy magnitude image. CT: blur + area (detector pixels) with
        noise, or resampling. Told samples use exactly the product's operator for their word, so the
        projection of that word is exact for them; auto samples also draw other resampling kernels.
        """
        r, cfg = self.rng, self.cfg
        # MR inputs in auto mode are routed to a told path by the degradation detector (training/detector.py),
        # so the MR `auto` words are only its fallback; CT auto is the blind path itself
        told = None if (blind or r.random() < cfg["auto_p"][mod if mod == "CT" else "MR"]) else "?"
        if mod == "CT":
            if r.random() < cfg["ct_area_p"]:
                sigma = D.CT_BLUR_SIGMA_PX if told else r.uniform(0.0, 1.0)
                lr = D.area_down(hr, s, sigma)
                if r.random() < 0.6:
                    lr = lr + torch.randn(lr.shape, generator=self.gen) * r.uniform(2.0, 25.0)   # HU
                return lr, hr, "area", told and "area"
            return self.resample(hr, s, told), hr, "bicubic", told and "bicubic"
        level = float(torch.quantile(slice_.flatten()[::7], 0.995).clamp(min=1e-6))
        sigma = 0.0
        if r.random() < cfg["mr_noise_p"]:
            lo, hi = cfg["mr_noise"]
            sigma = level * math.exp(r.uniform(math.log(lo), math.log(hi)))
        noisy, z = D.magnitude_with_noise(hr, sigma, self.gen)
        if r.random() < cfg["mr_kspace_p"]:
            lr = D.kspace_down_complex(z, s) if z is not None else D.kspace_down(hr, s, drop_nyquist=False)
            return lr, noisy, "kspace", told and "kspace"
        return self.resample(noisy, s, told), noisy, "bicubic", told and "bicubic"

    def resample(self, x, s, told):
        """Resampled to the lower matrix: the product's antialiased bicubic, or (auto only) a box with some blur."""
        if told or self.rng.random() < 0.7:
            return D.bicubic_down(x, s)
        return D.area_down(x, s, self.rng.uniform(0.0, 0.7))


def loss_after_consistency(y, b, s, cfg, dev):
    """L1 to the HR patch after each sample's own projection (what every score and the product apply),
    plus a small L1 before it so the unprojected output stays sensible too."""
    hr = b["hr"].to(dev)
    lr = b["lr"].to(dev)
    like = ["CT" if m == "CT" else "MR" for m in b["modalities"]]          # photographs are treated as MR
    projected = D.per_sample_consistency(y, lr, s, b["kinds"], like, differentiable=True)
    return F.l1_loss(projected, hr) + cfg["pre_dc_weight"] * F.l1_loss(y, hr)


def ids(prompts):
    return torch.tensor([P.tokenize(p) for p in prompts], dtype=torch.long)


# ------------------------------------------------------------------------------ stages
def ema_update(ema, model, n, decay):
    d = min(decay, (1 + n) / (10 + n))
    with torch.no_grad():
        for pe, p in zip(ema.parameters(), model.parameters()):
            pe.mul_(d).add_(p.detach(), alpha=1 - d)


def run_stage(name, run_dir, cfg, iters, modules, ema_modules, params, lr, step_fn, sampler, log, probe=None, before=0):
    """Train `modules` for `iters` steps, resumably; probe(it) scores the EMA weights every curve_every. `before`:
    iterations the modules already trained in an earlier stage (the EMA's warm-up counts them)."""
    path = os.path.join(run_dir, name + ".pt")
    done = os.path.join(run_dir, name + ".done")
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.0)
    sched = lambda it: lr * min(1.0, (it + 1) / 100) * (0.5 * (1 + math.cos(math.pi * min(it, iters) / iters)) * 0.95 + 0.05)
    start = 0
    if os.path.exists(path):
        ck = torch.load(path, map_location="cpu")
        # a checkpoint recover.py rebuilt from the shipped graphs holds the EMA weights alone (the graphs are made from
        # them) and no optimiser or sampler state: the trained weights then start from the EMA ones
        for k, m in modules.items():
            m.load_state_dict(ck["model"][k] if k in ck["model"] else ck["ema"][k])
        for k, m in ema_modules.items():
            m.load_state_dict(ck["ema"][k])
        if "opt" in ck:
            opt.load_state_dict(ck["opt"])
            sampler.load_state(ck["sampler"])
            torch.set_rng_state(ck["torch_rng"])
        start = ck["it"]
        log(f"[{name}] resumed at {start}/{iters}")
    if os.path.exists(done):
        return
    t0, seconds0 = time.time(), (ck.get("seconds", 0.0) if start else 0.0)
    dev = next(iter(params)).device
    with PR.bf16_forwards(modules.values(), dev, PR.precision(cfg, dev) == "bf16"):
        losses = []
        for it in range(start, iters):
            for g in opt.param_groups:
                g["lr"] = sched(it)
            loss = step_fn(it)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            for k, m in ema_modules.items():
                ema_update(m, modules[k], before + it, cfg["ema"])
            losses.append(float(loss))
            last = it + 1 == iters
            if (it + 1) % 25 == 0 or last:
                el = time.time() - t0
                log(f"[{name}] it {it + 1}/{iters} loss {np.mean(losses[-25:]):.6f} "
                    f"lr {sched(it):.2e} {el / (it + 1 - start):.2f}s/it")
            if probe and ((it + 1) % cfg["curve_every"] == 0 or last):
                log(f"[{name}] it {it + 1} validation gain over the best classical baseline (dB): "
                    + ", ".join(f"{k} {v:+.2f}" for k, v in probe(it + 1).items() if k.endswith(("x2", "x4"))))
            if (it + 1) % cfg["ckpt_every"] == 0 or last:
                ck = dict(model={k: m.state_dict() for k, m in modules.items()},
                          ema={k: m.state_dict() for k, m in ema_modules.items()},
                          opt=opt.state_dict(), sampler=sampler.state(), torch_rng=torch.get_rng_state(),
                          it=it + 1, seconds=seconds0 + time.time() - t0)
                torch.save(ck, path + ".tmp")
                os.replace(path + ".tmp", path)
    if not os.path.exists(path):      # zero iterations: keep the initialisation as the result
        torch.save(dict(model={k: m.state_dict() for k, m in modules.items()},
                        ema={k: m.state_dict() for k, m in ema_modules.items()}, opt=opt.state_dict(),
                        sampler=sampler.state(), torch_rng=torch.get_rng_state(), it=0, seconds=0.0), path)
    with open(done, "w") as f:
        json.dump(dict(seconds=seconds0 + time.time() - t0, iters=iters), f)


def train(cfg_name, work, run_dir, log=print):
    cfg = CONFIGS[cfg_name]
    os.makedirs(run_dir, exist_ok=True)
    torch.set_num_threads(int(os.environ.get("MEDSR_THREADS", "2")))
    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    dev = device()
    smoke = cfg_name == "smoke"
    arrays, meta = data.load(data.prepare(work, smoke=smoke))
    ae, te, un, rg = build(cfg)

    # ---- 1. autoencoder
    sampler = Sampler(arrays, meta, cfg, cfg["seed"] + 1)
    if not os.path.exists(os.path.join(run_dir, "ae.pt")):
        b = sampler.batch(256 if cfg_name != "smoke" else 32, cfg["ae_patch"], 2)
        ae.pca_init(torch.cat([b["hr"], b["x_up"]]))
    ae.to(dev)

    def ae_step(it):
        b = sampler.batch(cfg["ae_batch"], cfg["ae_patch"], 2 + 2 * (it % 2))
        x = torch.cat([b["hr"][: cfg["ae_batch"] * 3 // 4], b["x_up"][cfg["ae_batch"] * 3 // 4:]]).to(dev)
        z = ae.encoder(x)
        y = ae.decoder(z)
        return F.mse_loss(y, x) + 0.05 * F.l1_loss(y, x) + 1e-6 * z.pow(2).mean()

    run_stage("ae", run_dir, cfg, cfg["ae_iters"], {"ae": ae}, {}, list(ae.parameters()),
              cfg["ae_lr"], ae_step, sampler, log)
    ae.load_state_dict(torch.load(os.path.join(run_dir, "ae.pt"), map_location="cpu")["model"]["ae"])
    ae.to(dev).eval()
    for p in ae.parameters():
        p.requires_grad_(False)

    # latent scale factor: 1 / std of HR latents
    sf_path = os.path.join(run_dir, "latent_scale.json")
    if not os.path.exists(sf_path):
        s2 = Sampler(arrays, meta, cfg, cfg["seed"] + 7)
        hr = s2.batch(128 if cfg_name != "smoke" else 16, cfg["dm_patch"], 2)["hr"]
        with torch.no_grad():
            std = float(ae.encoder(hr.to(dev)).std())
        json.dump({"scale_factor": 1.0 / std}, open(sf_path, "w"))
    sf = json.load(open(sf_path))["scale_factor"]

    curve_probe = curve.Probe(work, smoke, run_dir)

    # ---- 2. regression baseline
    sampler = Sampler(arrays, meta, cfg, cfg["seed"] + 2)
    rg.to(dev)
    rg_ema = copy.deepcopy(rg)

    def rg_step(it):
        # the blind baseline: every sample is an auto one (the regression is told nothing)
        s = 2 + 2 * (it % 2)
        b = sampler.batch(cfg["reg_batch"], cfg["reg_patch"], s, blind=True)
        y = rg(b["x_up"].to(dev))
        return loss_after_consistency(y, b, s, cfg, dev)

    run_stage("regression", run_dir, cfg, cfg["reg_iters"], {"rg": rg}, {"rg": rg_ema},
              list(rg.parameters()), cfg["reg_lr"], rg_step, sampler, log,
              probe=lambda it: curve_probe("regression", it, PL.Pipeline(cfg, *_on_cpu(ae, None, None, rg_ema), sf)))

    # ---- 3. text encoder + diffusion U-Net
    sampler = Sampler(arrays, meta, cfg, cfg["seed"] + 3)
    te.to(dev)
    un.to(dev)
    te_ema, un_ema = copy.deepcopy(te), copy.deepcopy(un)
    ac = models.alphas_cumprod(cfg).to(dev)
    gen = torch.Generator().manual_seed(cfg["seed"] + 4)

    def dm_step(it, zoom_sampler=None):
        if zoom_sampler is None:
            sampler.cfg = phase_config(cfg, it)
        s = 2 + 2 * (it % 2)
        b = (zoom_sampler or sampler).batch(cfg["dm_batch"], cfg["dm_patch"], s)
        hr, up, prompts = b["hr"].to(dev), b["x_up"].to(dev), b["prompts"]
        with torch.no_grad():
            z0 = ae.encoder(hr) * sf
            c = ae.encoder(up) * sf
        B = z0.shape[0]
        t = torch.randint(0, cfg["t_max"], (B,), generator=gen).to(dev)
        a = ac[t].view(B, 1, 1, 1)
        eps = torch.randn(z0.shape, generator=gen).to(dev)
        from_c = (torch.rand(B, generator=gen) < cfg["from_condition_p"]).view(B, 1, 1, 1).to(dev)
        base = torch.where(from_c, c, z0)
        zt = a.sqrt() * base + (1 - a).sqrt() * eps
        emb = te(ids(prompts).to(dev))
        v = un(zt, c, t.float(), emb)
        x0 = a.sqrt() * zt - (1 - a).sqrt() * v
        return loss_after_consistency(ae.decoder(x0 / sf), b, s, cfg, dev)

    run_stage("diffusion", run_dir, cfg, cfg["dm_iters"], {"te": te, "un": un},
              {"te": te_ema, "un": un_ema}, list(te.parameters()) + list(un.parameters()),
              cfg["dm_lr"], dm_step, sampler, log,
              probe=lambda it: curve_probe("diffusion", it, PL.Pipeline(cfg, *_on_cpu(ae, te_ema, un_ema, None), sf)))

    # ---- 3b. the same, fine-tuned from its EMA weights with zoomed MR (finer pixels than any training MR)
    if cfg.get("dm_zoom_iters", 0) > 0:
        if not os.path.exists(os.path.join(run_dir, DM_ZOOM_STAGE + ".pt")):
            te.load_state_dict(te_ema.state_dict())
            un.load_state_dict(un_ema.state_dict())
        # the last phase's mix (where the diffusion ended), zoomed and other-contrast MR added (refiner.zoom_mix)
        zoom_sampler = Sampler(arrays, meta, dict(phase_config(cfg, cfg["dm_iters"]), **REF.zoom_mix(cfg)), cfg["seed"] + 25)
        run_stage(DM_ZOOM_STAGE, run_dir, dict(cfg, ema=cfg["zoom_ema"]), cfg["dm_zoom_iters"], {"te": te, "un": un},
                  {"te": te_ema, "un": un_ema}, list(te.parameters()) + list(un.parameters()), cfg["dm_zoom_lr"],
                  lambda it: dm_step(it, zoom_sampler), zoom_sampler, log,
                  probe=lambda it: curve_probe(DM_ZOOM_STAGE, it, PL.Pipeline(cfg, *_on_cpu(ae, te_ema, un_ema, None), sf)))

    # ---- 4. the degradation detectors of auto mode (MR: k-space truncation or resampling? CT: detector pixels or resampling?)
    train_detector(cfg, arrays, meta, run_dir, dev, log)
    tune_detector(cfg, arrays, meta, run_dir, dev, log)
    train_ct_detector(cfg, arrays, meta, run_dir, dev, log)
    train_resampler_detector(cfg, arrays, meta, run_dir, dev, log)

    # ---- 5. the MR k-space refiner: pixel space, after the frozen diffusion (EMA weights)
    train_refiner(cfg, arrays, meta, run_dir, dev, log, (ae, te_ema, un_ema, sf), curve_probe)

    # ---- 6. the CT refiner: the MR refiner fine-tuned on CT's told paths
    train_ct_refiner(cfg, arrays, meta, run_dir, dev, log, (ae, te_ema, un_ema, sf))
    return cfg


def train_detector(cfg, arrays, meta, run_dir, dev, log):
    """Stage 4, seeded on its own: independent of the other stages, so it can also run beside them. Its
    readers (detector.Detector) train one after the other."""
    for stage, pooling, seed in DET.READERS:
        torch.manual_seed(cfg["seed"] + seed)
        net = DET.DetectorNet(pooling).to(dev)
        det_sampler = DET.PairSampler(arrays, meta, cfg["seed"] + seed)
        run_stage(stage, run_dir, cfg, cfg["det_iters"], {"det": net}, {}, list(net.parameters()), cfg["det_lr"],
                  lambda it: DET.step(net, det_sampler, it, cfg["det_batch"]), det_sampler, log)


def tune_detector(cfg, arrays, meta, run_dir, dev, log):
    """Stage 4d (model 2.16.0; skipped with det_tune_iters 0), seeded on its own: each of stage 4's readers fine-tuned
    from its weights, det_zoom_p of the drawn slices zoomed and det_contrast_p given another contrast (detector.TUNE_STAGE)."""
    if not DET.tuning(cfg):
        return
    for stage, pooling, seed in DET.READERS:
        torch.manual_seed(cfg["seed"] + seed + 40)
        net = DET.DetectorNet(pooling).to(dev)
        tuned = DET.TUNE_STAGE.format(stage)
        if not os.path.exists(os.path.join(run_dir, tuned + ".pt")):   # else resumed (a recovered run: done, stage 4 without weights)
            net.load_state_dict(torch.load(os.path.join(run_dir, stage + ".pt"), map_location="cpu")["model"]["det"])
        sampler = DET.PairSampler(arrays, meta, cfg["seed"] + seed + 40, cfg["det_zoom_p"], cfg["det_contrast_p"])
        run_stage(tuned, run_dir, cfg, cfg["det_tune_iters"], {"det": net}, {},
                  list(net.parameters()), cfg["det_tune_lr"], lambda it: DET.step(net, sampler, it, cfg["det_batch"]),
                  sampler, log)


def train_ct_detector(cfg, arrays, meta, run_dir, dev, log):
    """Stage 4b (model 2.9), seeded on its own like stage 4: the CT detector's one reader, with stage 4's settings."""
    _train_reader(cfg, arrays, meta, run_dir, dev, log, CTD, DET.SCALES)


def train_resampler_detector(cfg, arrays, meta, run_dir, dev, log):
    """Stage 4c (model 2.10), seeded on its own like stage 4: the resampler detector's reader, with stage 4's settings."""
    _train_reader(cfg, arrays, meta, run_dir, dev, log, RD, RD.SCALES)


def _train_reader(cfg, arrays, meta, run_dir, dev, log, reader, scales):
    """One reader of a detector module (its STAGE, build, PairSampler), one head per scale."""
    stage, seed = reader.STAGE
    torch.manual_seed(cfg["seed"] + seed)
    net = reader.build().to(dev)
    sampler = reader.PairSampler(arrays, meta, cfg["seed"] + seed)
    run_stage(stage, run_dir, cfg, cfg["det_iters"], {"det": net}, {}, list(net.parameters()), cfg["det_lr"],
              lambda it: DET.step(net, sampler, it, cfg["det_batch"], scales), sampler, log)


def train_refiner(cfg, arrays, meta, run_dir, dev, log, diffusion, curve_probe):
    """Stage 5 (skipped with ref_iters 0): the frozen diffusion (ae, te, un, sf; EMA weights) makes its inputs.
    ref_iters with L1, then ref_polish_iters more with the squared error (`refiner_polish`), then, where the run prunes
    (refiner.pruning), the pruned refiner (`refiner_pruned`), then, where it zooms (refiner.zooming), the zoom's
    fine-tuning (`refiner_zoom`): the shipped weights are the last of these."""
    if not cfg["ref_iters"]:
        return
    polish = cfg.get("ref_polish_iters", 0)
    ae, te, un, sf = diffusion
    pl = PL.Pipeline(cfg, ae, te.eval(), un.eval(), None, sf)
    probe = None
    if not os.path.exists(os.path.join(run_dir, "refiner_polish.done" if polish else "refiner.done")):
        probe = curve.RefinerProbe(curve_probe, PL.Pipeline(cfg, *_on_cpu(ae, te, un, None), sf))
        torch.manual_seed(cfg["seed"] + 11)
        net = build_refiner(cfg, cfg["ref_blocks"]).to(dev)
        net_ema = copy.deepcopy(net)
        sampler = Sampler(arrays, meta, REF.sampler_cfg(cfg), cfg["seed"] + 11)
        run_stage("refiner", run_dir, cfg, cfg["ref_iters"], {"ref": net}, {"ref": net_ema}, list(net.parameters()),
                  cfg["ref_lr"], lambda it: REF.step(net, pl, sampler, it, cfg, dev), sampler, log,
                  probe=lambda it: probe(_on_cpu(net_ema)[0].eval(), it))
        if polish:
            # run_stage leaves net and net_ema as refiner.pt holds them (trained now, or loaded when already done)
            torch.manual_seed(cfg["seed"] + 13)
            sampler = Sampler(arrays, meta, REF.sampler_cfg(cfg), cfg["seed"] + 13)
            before = cfg["ref_iters"]   # the polish's diffusion seeds and curve rows continue the refiner's count
            run_stage("refiner_polish", run_dir, cfg, polish, {"ref": net}, {"ref": net_ema}, list(net.parameters()),
                      cfg["ref_polish_lr"], lambda it: REF.step(net, pl, sampler, before + it, cfg, dev, loss=F.mse_loss),
                      sampler, log, probe=lambda it: probe(_on_cpu(net_ema)[0].eval(), before + it), before=before)
    later = [(stage, run) for stage, run, applies in ((REF.PRUNE_STAGE, prune_refiner, REF.pruning(cfg)),
                                                       (REF.ZOOM_STAGE, zoom_refiner, REF.zooming(cfg)))
             if applies and not os.path.exists(os.path.join(run_dir, stage + ".done"))]
    if later and probe is None:     # the probe samples every validation input once: only for a stage still to train
        probe = curve.RefinerProbe(curve_probe, PL.Pipeline(cfg, *_on_cpu(ae, te, un, None), sf))
    for _, run in later:
        run(cfg, arrays, meta, run_dir, dev, log, pl, probe)


def prune_refiner(cfg, arrays, meta, run_dir, dev, log, pl, probe):
    """Stage 5b: the polished refiner without the ref_blocks - ref_keep_blocks residual blocks whose absence costs
    least on fixed training batches (refiner.lesion_order), fine-tuned for ref_prune_iters (refiner.distil_step)."""
    teacher = load_refiner(cfg, run_dir, unpruned=True).to(dev)
    keep = list(range(cfg["ref_keep_blocks"]))   # resumed: the checkpoint's weights replace these
    if not os.path.exists(os.path.join(run_dir, REF.PRUNE_STAGE + ".pt")):
        order = REF.lesion_order(teacher, pl, Sampler(arrays, meta, REF.sampler_cfg(cfg), cfg["seed"] + 19), cfg, dev)
        keep = sorted(order[cfg["ref_blocks"] - cfg["ref_keep_blocks"]:])
        log(f"[{REF.PRUNE_STAGE}] residual blocks, the one whose absence costs least first: {order}; kept {keep}")
    torch.manual_seed(cfg["seed"] + 17)
    net = REF.pruned(teacher, keep).train()
    net_ema = copy.deepcopy(net)
    sampler = Sampler(arrays, meta, REF.sampler_cfg(cfg), cfg["seed"] + 17)
    # its diffusion seeds and curve rows continue the polish's count
    before = cfg["ref_iters"] + cfg.get("ref_polish_iters", 0)
    run_stage(REF.PRUNE_STAGE, run_dir, dict(cfg, ema=cfg["ref_prune_ema"]), cfg["ref_prune_iters"], {"ref": net},
              {"ref": net_ema}, list(net.parameters()), cfg["ref_prune_lr"],
              lambda it: REF.distil_step(net, teacher, pl, sampler, before + it, cfg, dev), sampler, log,
              probe=lambda it: probe(_on_cpu(net_ema)[0].eval(), before + it, REF.PRUNE_STAGE))


def zoom_refiner(cfg, arrays, meta, run_dir, dev, log, pl, probe):
    """Stage 5c: the refiner so far (pruned where the run prunes) fine-tuned for ref_zoom_iters with the polish's loss,
    zoom_p of its MR and photograph slices zoomed first (refiner.ZOOM_STAGE)."""
    torch.manual_seed(cfg["seed"] + 23)
    net = load_refiner(cfg, run_dir, before_zoom=True).train().to(dev)   # resumed: the checkpoint's weights replace these
    net_ema = copy.deepcopy(net)
    sampler = Sampler(arrays, meta, REF.zoom_sampler_cfg(cfg), cfg["seed"] + 23)
    # its diffusion seeds and curve rows continue the count of the stages before it
    before = cfg["ref_iters"] + cfg.get("ref_polish_iters", 0) + (cfg["ref_prune_iters"] if REF.pruning(cfg) else 0)
    run_stage(REF.ZOOM_STAGE, run_dir, dict(cfg, ema=cfg["zoom_ema"]), cfg["ref_zoom_iters"], {"ref": net},
              {"ref": net_ema}, list(net.parameters()), cfg["ref_zoom_lr"],
              lambda it: REF.step(net, pl, sampler, before + it, cfg, dev, loss=F.mse_loss), sampler, log,
              probe=lambda it: probe(_on_cpu(net_ema)[0].eval(), before + it, REF.ZOOM_STAGE))


def train_ct_refiner(cfg, arrays, meta, run_dir, dev, log, diffusion):
    """Stage 6 (skipped with ct_ref_iters 0 or without a refiner): from the MR refiner's polished weights (not pruned:
    fine-tuned from the pruned refiner, the CT refiner lost 0.15-0.2 dB at x2; card notes), ct_ref_iters with the
    squared error after each CT sample's own projection (ct_refiner.py)."""
    if os.path.exists(os.path.join(run_dir, CTR.STAGE + ".done")):
        return
    mr = load_refiner(cfg, run_dir, unpruned=True)
    if not cfg.get("ct_ref_iters") or mr is None:
        return
    ae, te, un, sf = diffusion
    pl = PL.Pipeline(cfg, ae, te.eval(), un.eval(), None, sf)
    torch.manual_seed(cfg["seed"] + 21)
    net = mr.train().to(dev)
    net_ema = copy.deepcopy(net)
    sampler = Sampler(arrays, meta, CTR.sampler_cfg(cfg), cfg["seed"] + 21)
    run_stage(CTR.STAGE, run_dir, cfg, cfg["ct_ref_iters"], {"ref": net}, {"ref": net_ema}, list(net.parameters()),
              cfg["ct_ref_lr"], lambda it: CTR.step(net, pl, sampler, it, cfg, dev), sampler, log)


def build_refiner(cfg, blocks=None):
    """A refiner of the run's width and `blocks` residual blocks (default: as many as the shipped one has)."""
    return REF.Refiner(cfg["ref_width"], REF.shipped_blocks(cfg) if blocks is None else blocks)


def phase_config(cfg, it):
    """The configuration in force at diffusion iteration `it`: cfg with every `dm_phases` entry begun by then."""
    out = dict(cfg)
    for phase in cfg.get("dm_phases", []):
        if it >= phase["from"]:
            out.update({k: v for k, v in phase.items() if k != "from"})
    return out


def _on_cpu(*modules):
    """CPU copies for the validation probe, whose tensors live on the CPU (the networks may not)."""
    return [copy.deepcopy(m).cpu() if m is not None else None for m in modules]


def diffusion_stage(run_dir):
    """The diffusion stage whose EMA weights the run ships: the zoom's once it has finished (stage 3b), else the first."""
    return DM_ZOOM_STAGE if os.path.exists(os.path.join(run_dir, DM_ZOOM_STAGE + ".done")) else "diffusion"


def load_trained(cfg_name, run_dir):
    """The shipped weights: autoencoder as trained, EMA weights for the others."""
    cfg = CONFIGS[cfg_name]
    ae, te, un, rg = build(cfg)
    ae.load_state_dict(torch.load(os.path.join(run_dir, "ae.pt"), map_location="cpu")["model"]["ae"])
    ck = torch.load(os.path.join(run_dir, "regression.pt"), map_location="cpu")
    rg.load_state_dict(ck["ema"]["rg"])
    ck = torch.load(os.path.join(run_dir, diffusion_stage(run_dir) + ".pt"), map_location="cpu")
    te.load_state_dict(ck["ema"]["te"])
    un.load_state_dict(ck["ema"]["un"])
    sf = json.load(open(os.path.join(run_dir, "latent_scale.json")))["scale_factor"]
    for m in (ae, te, un, rg):
        m.eval()
    return cfg, ae, te, un, rg, sf


def load_refiner(cfg, run_dir, unpruned=False, before_zoom=False):
    """The refiner's EMA weights: the shipped stage's (refiner.shipped_stage), the polished unpruned refiner's with
    `unpruned`, the stage's before the zoom with `before_zoom`; None when this run trained none."""
    stage_cfg = dict(cfg, ref_zoom_iters=0) if before_zoom or unpruned else cfg
    if unpruned:
        stage_cfg["ref_prune_iters"] = 0
    stage = REF.shipped_stage(stage_cfg)
    path = os.path.join(run_dir, stage + ".pt")
    if not cfg["ref_iters"] or not os.path.exists(path):
        return None
    net = build_refiner(cfg, None if REF.pruning(stage_cfg) else cfg["ref_blocks"])
    net.load_state_dict(torch.load(path, map_location="cpu")["ema"]["ref"])
    return net.eval()


def load_ct_refiner(cfg, run_dir):
    """The CT refiner's EMA weights (stage 6), or None when this run trained none."""
    path = os.path.join(run_dir, CTR.STAGE + ".pt")
    if not cfg.get("ct_ref_iters") or not os.path.exists(path):
        return None
    net = build_refiner(cfg, cfg["ref_blocks"])
    net.load_state_dict(torch.load(path, map_location="cpu")["ema"]["ref"])
    return net.eval()


def load_detector(run_dir):
    """The trained degradation detector (all its readers: stage 4d's where the run has finished it, else stage 4's) and
    the iterations per reader (both stages')."""
    readers, iterations = {"mean": [], "evidence": []}, 0
    for stage, pooling, _ in DET.READERS:
        tuned = DET.TUNE_STAGE.format(stage)
        stages = [stage] + ([tuned] if os.path.exists(os.path.join(run_dir, tuned + ".done")) else [])
        ck = torch.load(os.path.join(run_dir, stages[-1] + ".pt"), map_location="cpu")
        net = DET.DetectorNet(pooling)
        net.load_state_dict(ck["model"]["det"])
        readers[pooling].append(net)
        iterations = sum(json.load(open(os.path.join(run_dir, st + ".done"))).get("iters", 0) for st in stages)
    (mean_reader,) = readers["mean"]
    return DET.Detector(mean_reader, readers["evidence"]).eval(), iterations


def load_resampler_detector(run_dir):
    """The trained resampler detector (stage 4c) and its iterations, or (None, 0) for a run made before it existed."""
    return _load_reader(run_dir, RD.STAGE[0], RD.build)


def load_ct_detector(run_dir):
    """The trained CT detector (stage 4b) and its iterations, or (None, 0) for a run made before it existed."""
    return _load_reader(run_dir, CTD.STAGE[0], CTD.build)


def _load_reader(run_dir, stage, build):
    path = os.path.join(run_dir, stage + ".pt")
    if not os.path.exists(path):
        return None, 0
    ck = torch.load(path, map_location="cpu")
    net = build()
    net.load_state_dict(ck["model"]["det"])
    return net.eval(), ck["it"]
