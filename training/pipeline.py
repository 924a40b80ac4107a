"""The inference loop of docs/model-contract.md in PyTorch (evaluation and reference tensors)."""
import numpy as np
import torch
import torch.nn.functional as F

import bandlimit as BL
import ct_refiner as CTR
import degrade as D
import models
import prompt as P
import refiner as R
import resampler_detector as RD


def timesteps(steps, init_strength, num_train_timesteps):
    """Diffusers' trailing spacing restricted to [0, t_start] (np.round: half to even)."""
    t_start = int(round(init_strength * num_train_timesteps)) - 1
    n = t_start + 1
    ts = np.round(np.arange(n, 0, -n / steps)).astype(np.int64) - 1
    return [int(t) for t in ts[:steps]]


class Pipeline:
    def __init__(self, cfg, ae, te, un, rg, sf, detector=None, refiner=None, ct_detector=None, ct_refiner=None,
                 resampler_detector=None):
        self.cfg, self.ae, self.te, self.un, self.rg, self.sf = cfg, ae, te, un, rg, sf
        self.resampler_detector = resampler_detector  # training/resampler_detector.py reader (None: the contract's operator)
        self.detector = detector        # training/detector.py parameters (None: no routing, auto stays blind)
        self.ct_detector = ct_detector  # training/ct_detector.py reader (None: CT takes detector.ROUTES)
        self.ct_refiner = ct_refiner    # training/ct_refiner.py network (None: CT's projected sample is final)
        self.refiner = refiner          # training/refiner.py network (None: the diffusion output is final)
        self.band_limit = True          # bandlimit.py for MR (the evaluation turns it off to show what it does)
        self.ac = models.alphas_cumprod(cfg)

    @torch.no_grad()
    def text(self, prompt, batch=1):
        """One prompt for the whole batch, or a list of prompts (one per sample: training batches)."""
        dev = next(self.te.parameters()).device
        if isinstance(prompt, (list, tuple)):
            return self.te(torch.tensor([P.tokenize(p) for p in prompt], dtype=torch.long, device=dev))
        return self.te(torch.tensor([P.tokenize(prompt)], dtype=torch.long, device=dev)).expand(batch, -1, -1)

    def _padded(self, x):
        """Reflect-pad H, W up to the graphs' multiple (8 f), as the TypeScript pipeline does."""
        m = 8 * self.cfg["f"]
        H, W = x.shape[-2:]
        ph, pw = -H % m, -W % m
        return F.pad(x, (0, pw, 0, ph), mode="reflect") if ph or pw else x

    @torch.no_grad()
    def sample(self, x_up, prompt, steps=None, strength=None, guidance=1.0, seed=0, trace=None):
        """x_up [1,1,H,W] normalised -> decoded image [1,1,H,W] (before data consistency)."""
        steps = steps or self.cfg["default_steps"]
        H, W = x_up.shape[-2:]
        x_up = self._padded(x_up)
        strength = strength or self.cfg["init_strength"]
        cond = self.ae.encoder(x_up) * self.sf
        B = x_up.shape[0]
        emb = self.text(prompt, B)
        emb_u = self.text("", B) if guidance != 1.0 else None
        ts = timesteps(steps, strength, self.cfg["num_train_timesteps"])
        g = torch.Generator().manual_seed(seed)
        noise = torch.randn(cond.shape, generator=g).to(cond.device)
        a0 = self.ac[ts[0]]
        z = a0.sqrt() * cond + (1 - a0).sqrt() * noise
        if trace is not None:
            trace.update(condition=cond, text_embeds=emb, noise=noise, z_start=z, timesteps=ts,
                         model_outputs=[], latents=[])
        for i, t in enumerate(ts):
            tt = torch.full((B,), float(t), device=cond.device)
            v = self.un(z, cond, tt, emb)
            if emb_u is not None:
                vu = self.un(z, cond, tt, emb_u)
                v = vu + guidance * (v - vu)
            a = self.ac[t]
            a_prev = self.ac[ts[i + 1]] if i + 1 < len(ts) else torch.tensor(1.0)
            x0 = a.sqrt() * z - (1 - a).sqrt() * v
            eps = a.sqrt() * v + (1 - a).sqrt() * z
            z = a_prev.sqrt() * x0 + (1 - a_prev).sqrt() * eps
            if trace is not None:
                trace["model_outputs"].append(v)
                trace["latents"].append(z)
        return self.ae.decoder(z / self.sf)[..., :H, :W]

    @torch.no_grad()
    def finish(self, decoded, lr, s, mode, modality, acquired=None, floor=None, gaussian_share=None):
        """The decoded sample projected onto the input; on a refiner's path (MR's, CT's), refined and projected again; for MR,
        limited to the band the input shows and to the acquired matrix's (`acquired`: (rows, columns), when known;
        bandlimit.py). `floor`: the lowest value the input's file can store, normalised (degrade.floored_input).
        `gaussian_share`: the resampled path's share of the Gaussian + spline in its operator (degrade.resampled_down);
        None: per slice, the resampler detector's (`gaussian_shares`)."""
        n = lr.shape[0]
        shares = self.gaussian_shares(lr, s, mode, modality) if gaussian_share is None else [gaussian_share] * n
        out = torch.empty_like(decoded)
        for share in sorted(set(shares)):
            idx = torch.tensor([i for i, g in enumerate(shares) if g == share])
            part = floor[idx] if torch.is_tensor(floor) and floor.dim() else floor   # per slice or one for all
            out[idx] = self._finish(decoded[idx], lr[idx], s, mode, modality, acquired, part, share)
        return out

    def gaussian_shares(self, lr, s, mode, modality):
        """Per slice, the resampler detector's share of the Gaussian + spline (resampler_detector.share)."""
        return [RD.share(self.resampler_detector, lr[i:i + 1], s, modality, mode) for i in range(lr.shape[0])]

    def _finish(self, decoded, lr, s, mode, modality, acquired, floor, gaussian_share):
        out = D.consistency(decoded, lr, s, mode, modality, floor, gaussian_share)
        if self.refiner is not None and R.applies(mode, modality):
            out = R.refine(self.refiner, out, lr, s, mode, floor=floor, gaussian_share=gaussian_share)
        if self.ct_refiner is not None and CTR.applies(mode, modality):
            out = CTR.refine(self.ct_refiner, out, lr, s, mode, floor)
        if self.band_limit and modality in BL.MODALITIES:
            out = BL.apply(out, lr, acquired)    # a scanner-interpolated input: nothing beyond its band (bandlimit.py)
        return out

    @torch.no_grad()
    def regression(self, x_up):
        H, W = x_up.shape[-2:]
        return self.rg(self._padded(x_up))[..., :H, :W]

    @torch.no_grad()
    def ae_roundtrip(self, x):
        return self.ae.decoder(self.ae.encoder(x))
