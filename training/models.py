"""Small models for CPU training and CPU inference (see models/README.md for sizes and FLOPs).

- AutoEncoder (the "VAE" graphs): f=4, C latent channels. A PCA-initialised linear path
  (space-to-depth 4x4 -> 1x1 conv) plus, optionally (blocks >= 0), a zero-initialised
  convolutional residual in both the encoder and the decoder. With C = f*f and no residual it is
  an orthogonal block transform: lossless. Deterministic: the encoder output is the latent mean.
- TextEncoder: word embeddings + 2 pre-norm transformer layers, [B, L] int64 -> [B, L, D].
- UNet: latent U-Net with timestep embedding and cross-attention to the text embedding, LR
  entering by concatenation (`condition`). The same class without time/text is the one-step
  regression network (in space-to-depth pixel space).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class GroupNorm32(nn.GroupNorm):
    """GroupNorm computed in float32: under bf16 autocast (precision.py) the convolutions hand it bfloat16, which
    this torch's CPU group norm does not take, and a norm's statistics want float32 anyway."""

    def forward(self, x):
        if x.dtype == torch.float32:        # inference and the exported graphs: plain GroupNorm, no casts traced
            return super().forward(x)
        return super().forward(x.float()).to(x.dtype)


def norm(c):
    return GroupNorm32(8 if c % 8 == 0 else 1, c)


class Res(nn.Module):
    def __init__(self, cin, cout, temb=0):
        super().__init__()
        self.n1 = norm(cin)
        self.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.t = nn.Linear(temb, cout) if temb else None
        self.n2 = norm(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        nn.init.zeros_(self.c2.weight)
        nn.init.zeros_(self.c2.bias)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, t=None):
        h = self.c1(F.silu(self.n1(x)))
        if self.t is not None:
            h = h + self.t(t)[:, :, None, None]
        h = self.c2(F.silu(self.n2(h)))
        return self.skip(x) + h


class PlainRes(nn.Module):
    """Norm-free residual block (the autoencoder must be exact-ish and batch independent)."""

    def __init__(self, c):
        super().__init__()
        self.c1 = nn.Conv2d(c, c, 3, padding=1)
        self.c2 = nn.Conv2d(c, c, 3, padding=1)
        nn.init.zeros_(self.c2.weight)
        nn.init.zeros_(self.c2.bias)

    def forward(self, x):
        return x + self.c2(F.silu(self.c1(F.silu(x))))


class AEEncoder(nn.Module):
    def __init__(self, f=4, ch=8, width=64, blocks=1):
        super().__init__()
        self.f = f
        self.lin = nn.Conv2d(f * f, ch, 1, bias=False)
        self.residual = blocks >= 0
        if not self.residual:
            return
        self.inp = nn.Conv2d(f * f, width, 3, padding=1)
        self.body = nn.Sequential(*[PlainRes(width) for _ in range(blocks)])
        self.out = nn.Conv2d(width, ch, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, image):
        x = F.pixel_unshuffle(image, self.f)
        if not self.residual:
            return self.lin(x)
        return self.lin(x) + self.out(F.silu(self.body(self.inp(x))))


class AEDecoder(nn.Module):
    def __init__(self, f=4, ch=8, width=64, blocks=2):
        super().__init__()
        self.f = f
        self.lin = nn.Conv2d(ch, f * f, 1, bias=False)
        self.residual = blocks >= 0
        if not self.residual:
            return
        self.inp = nn.Conv2d(ch, width, 3, padding=1)
        self.body = nn.Sequential(*[PlainRes(width) for _ in range(blocks)])
        self.out = nn.Conv2d(width, f * f, 3, padding=1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, latent):
        x = self.lin(latent)
        if self.residual:
            x = x + self.out(F.silu(self.body(self.inp(latent))))
        return F.pixel_shuffle(x, self.f)


class AutoEncoder(nn.Module):
    def __init__(self, f=4, ch=8, width=64, enc_blocks=1, dec_blocks=2):
        super().__init__()
        self.encoder = AEEncoder(f, ch, width, enc_blocks)
        self.decoder = AEDecoder(f, ch, width, dec_blocks)

    @torch.no_grad()
    def pca_init(self, images):
        """Initialise the linear paths with the top-C principal components of f x f blocks."""
        f = self.encoder.f
        x = F.pixel_unshuffle(images, f).permute(0, 2, 3, 1).reshape(-1, f * f)
        x = x[torch.randperm(x.shape[0])[:200000]]
        # no centering: the 1x1 convs have no bias and blocks near -1 carry the mean in PC1
        cov = x.T @ x / x.shape[0]
        evals, evecs = torch.linalg.eigh(cov)
        top = evecs[:, torch.argsort(evals, descending=True)[: self.encoder.lin.out_channels]]
        self.encoder.lin.weight.copy_(top.T[:, :, None, None])
        self.decoder.lin.weight.copy_(top[:, :, None, None])

    def forward(self, x):
        return self.decoder(self.encoder(x))


class Attention(nn.Module):
    def __init__(self, dim, ctx_dim=None, heads=4):
        super().__init__()
        ctx_dim = ctx_dim or dim
        self.h = heads
        self.q = nn.Linear(dim, dim, bias=False)
        self.k = nn.Linear(ctx_dim, dim, bias=False)
        self.v = nn.Linear(ctx_dim, dim, bias=False)
        self.o = nn.Linear(dim, dim)

    def forward(self, x, ctx):
        B, N, C = x.shape
        d = C // self.h
        q = self.q(x).reshape(B, N, self.h, d).transpose(1, 2)
        k = self.k(ctx).reshape(B, -1, self.h, d).transpose(1, 2)
        v = self.v(ctx).reshape(B, -1, self.h, d).transpose(1, 2)
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        return self.o((a @ v).transpose(1, 2).reshape(B, N, C))


class TextEncoder(nn.Module):
    def __init__(self, vocab, dim=64, max_len=16, layers=2, heads=4):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.pos = nn.Parameter(torch.zeros(1, max_len, dim))
        self.layers = nn.ModuleList()
        for _ in range(layers):
            self.layers.append(nn.ModuleDict(dict(
                n1=nn.LayerNorm(dim), att=Attention(dim, heads=heads), n2=nn.LayerNorm(dim),
                mlp=nn.Sequential(nn.Linear(dim, dim * 2), nn.GELU(), nn.Linear(dim * 2, dim)))))
        self.out = nn.LayerNorm(dim)

    def forward(self, input_ids):
        x = self.tok(input_ids) + self.pos[:, : input_ids.shape[1]]
        for l in self.layers:
            h = l["n1"](x)
            x = x + l["att"](h, h)
            x = x + l["mlp"](l["n2"](x))
        return self.out(x)


class CrossAttn(nn.Module):
    def __init__(self, c, ctx_dim):
        super().__init__()
        self.n = norm(c)
        self.att = Attention(c, ctx_dim, heads=4)
        nn.init.zeros_(self.att.o.weight)
        nn.init.zeros_(self.att.o.bias)

    def forward(self, x, ctx):
        B, C, H, W = x.shape
        h = self.n(x).reshape(B, C, H * W).transpose(1, 2)
        return x + self.att(h, ctx).transpose(1, 2).reshape(B, C, H, W)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)


class UNet(nn.Module):
    """in_ch -> out_ch at the input resolution; two 2x downsamplings (inputs multiple of 4)."""

    def __init__(self, in_ch, out_ch, chs=(64, 96, 128), ctx_dim=64, use_time=True,
                 use_text=True):
        super().__init__()
        self.use_time, self.use_text = use_time, use_text
        te = chs[0] * 2 if use_time else 0
        self.temb = te
        if use_time:
            self.tmlp = nn.Sequential(nn.Linear(chs[0], te), nn.SiLU(), nn.Linear(te, te))
        # the pooled text embedding joins the timestep embedding in every block (FiLM-like), so the
        # task words (scale, degradation) steer every level, not only the cross-attended ones
        self.text_film = nn.Linear(ctx_dim, te) if (use_time and use_text) else None
        c0, c1, c2 = chs
        self.inp = nn.Conv2d(in_ch, c0, 3, padding=1)
        self.e0 = Res(c0, c0, te)
        self.d0 = nn.Conv2d(c0, c1, 3, stride=2, padding=1)
        self.e1 = Res(c1, c1, te)
        self.d1 = nn.Conv2d(c1, c2, 3, stride=2, padding=1)
        self.m1 = Res(c2, c2, te)
        self.x1 = CrossAttn(c2, ctx_dim) if use_text else None
        self.m2 = Res(c2, c2, te)
        self.u1 = nn.Conv2d(c2, c1 * 4, 1)
        self.g1 = Res(c1 * 2, c1, te)
        self.x2 = CrossAttn(c1, ctx_dim) if use_text else None
        self.u0 = nn.Conv2d(c1, c0 * 4, 1)
        self.g0 = Res(c0 * 2, c0, te)
        self.out = nn.Sequential(norm(c0), nn.SiLU(), nn.Conv2d(c0, out_ch, 3, padding=1))

    def forward(self, x, t=None, ctx=None):
        te = self.tmlp(timestep_embedding(t, self.inp.out_channels)) if self.use_time else None
        if self.text_film is not None:
            te = te + self.text_film(ctx.mean(dim=1))
        h0 = self.e0(self.inp(x), te)
        h1 = self.e1(self.d0(h0), te)
        h = self.m1(self.d1(h1), te)
        if self.use_text:
            h = self.x1(h, ctx)
        h = self.m2(h, te)
        h = self.g1(torch.cat([F.pixel_shuffle(self.u1(h), 2), h1], 1), te)
        if self.use_text:
            h = self.x2(h, ctx)
        h = self.g0(torch.cat([F.pixel_shuffle(self.u0(h), 2), h0], 1), te)
        return self.out(h)


class DiffusionUNet(nn.Module):
    """Contract signature: (sample, condition, timestep, text_embeds) -> model_output.

    residual=True: the network predicts x0 as `condition + net(...)` (zero-initialised, so it
    starts at the upsampled estimate, like the regression baseline) and returns the matching
    v-prediction v = (sqrt(abar_t) z_t - x0) / sqrt(1 - abar_t), abar looked up from the
    schedule by floor(timestep) inside the graph.
    """

    def __init__(self, latent_ch=8, chs=(64, 96, 128), ctx_dim=64, alphas_cumprod=None):
        super().__init__()
        self.net = UNet(latent_ch * 2, latent_ch, chs, ctx_dim)
        self.residual = alphas_cumprod is not None
        if self.residual:
            self.register_buffer("ac", alphas_cumprod.float().clone(), persistent=False)
            last = self.net.out[-1]
            nn.init.zeros_(last.weight)
            nn.init.zeros_(last.bias)

    def forward(self, sample, condition, timestep, text_embeds):
        out = self.net(torch.cat([sample, condition], 1), timestep, text_embeds)
        if not self.residual:
            return out
        a = self.ac[timestep.long()].view(-1, 1, 1, 1)
        x0 = condition + out
        return (a.sqrt() * sample - x0) / (1 - a).sqrt()


class Regression(nn.Module):
    """One-step baseline: x_up -> x_up + residual, computed in 4x4 space-to-depth."""

    def __init__(self, f=4, chs=(64, 96, 128)):
        super().__init__()
        self.f = f
        self.net = UNet(f * f, f * f, chs, use_time=False, use_text=False)
        last = self.net.out[-1]
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)

    def forward(self, image):
        return image + F.pixel_shuffle(self.net(F.pixel_unshuffle(image, self.f)), self.f)


def alphas_cumprod(cfg):
    """The noise schedule (scaled-linear betas, abar_t): one definition for training, the residual U-Net
    (which looks abar up inside its graph) and evaluation; the manifest's scheduler fields carry the same numbers."""
    b = torch.linspace(cfg["beta_start"] ** 0.5, cfg["beta_end"] ** 0.5,
                       cfg["num_train_timesteps"], dtype=torch.float64) ** 2
    return torch.cumprod(1 - b, 0).float()
