"""Normalisation, degradations, classical baselines, data consistency and metrics.

All image tensors are float32 [B, 1, H, W]. Conventions follow docs/model-contract.md.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

PREPROCESSING = {"MR": {"kind": "percentile", "low": 0.0, "high": 99.5},
                 "CT": {"kind": "fixed", "min": -1024, "max": 2048}}
CT_BLUR_SIGMA_PX = 0.5     # HR pixels, before area downsampling (contract degradations.ct)
# x_up per degradation (contract `upsampling`): for k-space data the zero-filled Fourier estimate
# already holds every measured frequency exactly, so the networks only add what was not measured;
# bicubic would first have to be undone by a network with a local receptive field.
# Model 2.0: keyed by modality, not degradation, because the degradation may be unknown (auto): MR is
# always zero-filled (exact for k-space data, a sinc interpolation for resampled data), CT bicubic.
UPSAMPLING = {"MR": "zero_fill", "CT": "bicubic", "default": "bicubic"}


def norm_params(lr, modality):
    """(offset, scale) such that x_norm = (x - offset) / scale, from the LR slice only."""
    p = PREPROCESSING.get(modality, PREPROCESSING["MR"])
    if p["kind"] == "fixed":
        lo, hi = float(p["min"]), float(p["max"])
    else:
        a = lr.detach().cpu().numpy().ravel() if torch.is_tensor(lr) else np.asarray(lr).ravel()
        lo, hi = np.percentile(a, [p["low"], p["high"]])
        lo, hi = float(lo), float(hi)
        if hi - lo < 1e-6:
            hi = lo + 1.0
    scale = (hi - lo) / 2.0
    return lo + scale, scale            # p_low -> -1, p_high -> +1


def upsample(x, s):
    """Contract bicubic: a=-0.75, half-pixel centres, edge clamped (= PyTorch bicubic)."""
    return F.interpolate(x, scale_factor=s, mode="bicubic", align_corners=False)


def upsample_for(lr, s, modality):
    """x_up, the input both networks are conditioned on, for a slice of `modality` (MR, CT)."""
    if UPSAMPLING.get(modality, UPSAMPLING["default"]) == "zero_fill":
        return zero_filled(lr, s)
    return upsample(lr, s)


# ---------------------------------------------------------------- degradations (operator A)
def kspace_down(x, s, pf=1.0, noise=0.0, gen=None, magnitude=False, drop_nyquist=True):
    """Keep the central (H/s x W/s) block of the centred 2-D FFT (lower acquisition matrix).

    pf < 1: partial Fourier along rows (the top (1-pf) fraction of the kept rows is zero-filled).
    noise: std of complex Gaussian noise, relative to the image-domain LR intensities.
    drop_nyquist: the unpaired Nyquist row/column is not acquired (training); the contract's
    fixed operator A (`degrade`, src/pipeline/degrade/kspace.ts) keeps it.
    """
    H, W = x.shape[-2:]
    h, w = H // s, W // s
    kc = _central_block(torch.fft.fftshift(torch.fft.fft2(x.double()), dim=(-2, -1)), h, w)
    # the unpaired Nyquist row/column (-h/2, -w/2) is not acquired: keeps the LR image real and
    # makes k-space replacement an exact projection (DC residual 0 for noiseless data)
    if drop_nyquist:
        kc[..., 0, :] = 0
        kc[..., :, 0] = 0
    if pf < 1.0:
        cut = int(round((1.0 - pf) * h))
        kc[..., :cut, :] = 0
    if noise > 0:
        n = torch.randn(kc.shape + (2,), generator=gen, dtype=torch.float64)
        kc = kc + torch.view_as_complex(n) * noise * math.sqrt(h * w)
    img = torch.fft.ifft2(torch.fft.ifftshift(kc, dim=(-2, -1)))
    return (img.abs() if magnitude else img.real).float()


def _central_block(k, h, w):
    """The central h x w block of a centred spectrum k [..., H, W], scaled by (h w) / (H W): a lower matrix's spectrum."""
    H, W = k.shape[-2:]
    top, left = H // 2 - h // 2, W // 2 - w // 2
    return k[..., top:top + h, left:left + w] * (h * w) / (H * W)


def gaussian_blur(x, sigma):
    if sigma <= 0:
        return x
    r = max(1, int(math.ceil(3 * sigma)))
    t = torch.arange(-r, r + 1, dtype=x.dtype)
    k = torch.exp(-0.5 * (t / sigma) ** 2)
    k = k / k.sum()
    x = F.pad(x, (r, r, r, r), mode="replicate")
    x = F.conv2d(x, k.view(1, 1, 1, -1))
    return F.conv2d(x, k.view(1, 1, -1, 1))


def area_down(x, s, sigma=CT_BLUR_SIGMA_PX):
    return F.avg_pool2d(gaussian_blur(x, sigma), s)


def bicubic_down(x, s):
    return F.interpolate(x, scale_factor=1.0 / s, mode="bicubic", align_corners=False,
                         antialias=True)


# What a DICOM file can hold of a slice, in modality values: validation MR is written unsigned and CT signed, 16 bits,
# slope 1 (export_validation_dicom.py), as scanners write them. Every input the product sees is a file, so a lower
# matrix's ringing below zero is clipped there; `npx medsr eval` stores its LR the same way (its source file's format).
STORED_RANGE = {"MR": (0.0, 65535.0), "CT": (-32768.0, 32767.0)}


def stored(lr, modality):
    """The LR slice as its DICOM file would store it: rounded to integers and clipped to what the file can hold."""
    lo, hi = STORED_RANGE[modality]
    return lr.round().clamp(lo, hi)


def degrade(x, s, kind, gaussian_share=0.0):
    """The fixed (evaluation / data-consistency) operator A; for the resampled path (`bicubic`), `resampled_down` with
    the resampler detector's `gaussian_share`."""
    if kind == "kspace":
        return kspace_down(x, s, drop_nyquist=False)
    if kind == "area":
        return area_down(x, s)
    return resampled_down(x, s, gaussian_share)


# ---------------------------------------------------------------- classical baselines
def _pil_resize(x, size, kind):
    """Each slice of x [B,1,h,w] resized by PIL to size (w, h) with filter `kind` (antialiased when shrinking)."""
    from PIL import Image
    f = getattr(Image, kind)
    return torch.from_numpy(np.stack([np.asarray(Image.fromarray(im.astype(np.float32), "F").resize(size, f), dtype=np.float32)
                                      for im in x[:, 0].numpy()]))[:, None]


def lanczos(lr, s):
    return _pil_resize(lr, (lr.shape[-1] * s, lr.shape[-2] * s), "LANCZOS")


def _mirrored(i, n):
    """Index i folded into 0..n-1 as scipy's 'mirror' mode extends a signal (... 2 1 | 0 1 ... n-1 | n-2 ...)."""
    if n == 1:
        return 0
    i = abs(i) % (2 * (n - 1))
    return 2 * (n - 1) - i if i >= n else i


def _cubic_bspline(t):
    t = abs(t)
    return 2 / 3 - t * t + t ** 3 / 2 if t < 1 else (2 - t) ** 3 / 6 if t < 2 else 0.0


def gaussian_spline_matrix(n, s):
    """The 1-D operator [n // s, n] of scikit-image's antialiased `resize` / `rescale` (anti_aliasing, order 3, mode
    'reflect', which is scipy's 'mirror'): a Gaussian of sigma (s - 1) / 2 input pixels (cut at 4 sigma), then the
    interpolating cubic B-spline (prefiltered) at the output pixels' centres (i + 0.5) s - 0.5.
    src/pipeline/resample/gaussian-spline.ts builds the same matrix."""
    sigma = (s - 1) / 2
    r = int(4 * sigma + 0.5)
    taps = np.exp(-0.5 * (np.arange(-r, r + 1) / sigma) ** 2)
    taps /= taps.sum()
    blur = np.zeros((n, n))
    for i in range(n):
        for d in range(-r, r + 1):
            blur[i, _mirrored(i + d, n)] += taps[d + r]
    # the spline's coefficients c solve M c = samples (M: the B-spline at the knots, mirrored at both ends)
    M = np.diag(np.full(n, 4 / 6)) + np.diag(np.full(n - 1, 1 / 6), 1) + np.diag(np.full(n - 1, 1 / 6), -1)
    if n > 1:
        M[0, 1] = M[-1, -2] = 2 / 6
    m = n // s
    sample = np.zeros((m, n))
    for i in range(m):
        t = (i + 0.5) * s - 0.5
        k0 = math.floor(t)
        for k in range(k0 - 1, k0 + 3):
            sample[i, _mirrored(k, n)] += _cubic_bspline(t - k)
    return sample @ np.linalg.solve(M, blur)


_AXIS_CACHE = {}


def _axis_matrix(kind, n, s):
    """The 1-D matrix [n // s, n] of a separable downsampler: scikit-image's (`gaussian_spline_matrix`) or the contract's
    bicubic (each column the operator applied to a unit impulse; its rows are normalised, so constant rows pass)."""
    if (kind, n, s) not in _AXIS_CACHE:
        if kind == "gaussian-spline":
            m = torch.from_numpy(gaussian_spline_matrix(n, s))
        else:
            impulses = torch.eye(n, dtype=torch.float64)[:, None, None, :].expand(n, 1, s, n)
            m = bicubic_down(impulses, s)[:, 0, 0, :].T.contiguous()
        _AXIS_CACHE[(kind, n, s)] = m
    return _AXIS_CACHE[(kind, n, s)]


def _separable(x, s, axis_matrix):
    H, W = x.shape[-2:]
    return (axis_matrix(H) @ x.double() @ axis_matrix(W).T).to(x.dtype)


def gaussian_spline_down(x, s):
    """scikit-image's antialiased downsampling (`gaussian_spline_matrix` on both axes); differentiable in x."""
    return _separable(x, s, lambda n: _axis_matrix("gaussian-spline", n, s))


def resampled_down(x, s, gaussian_share=0.0):
    """The operator the resampled path projects onto: on each axis the contract's bicubic blended with scikit-image's
    Gaussian + spline by `gaussian_share`, the resampler detector's P(Gaussian + spline) for the slice
    (resampler_detector.py; 0 where it does not judge), so the operator stays separable. Differentiable in x
    (src/pipeline/resample/resamplers.ts)."""
    if gaussian_share <= 0:
        return bicubic_down(x, s)
    if gaussian_share >= 1:
        return gaussian_spline_down(x, s)
    return _separable(x, s, lambda n: (1 - gaussian_share) * _axis_matrix("bicubic", n, s)
                      + gaussian_share * _axis_matrix("gaussian-spline", n, s))


# Other antialiased downsamplers than the contract's bicubic (`bicubic_down`, which is PyTorch's and PIL's): a
# resampled input may come from any of them, while the product's resampled path projects onto the contract's operator.
# The card scores the default pipeline on MR slices each of them made (evaluate.py `_other_resamplers`).
OTHER_RESAMPLERS = {
    "lanczos": lambda x, s: _pil_resize(x, (x.shape[-1] // s, x.shape[-2] // s), "LANCZOS"),
    "gaussian-spline": gaussian_spline_down,
    "bilinear": lambda x, s: F.interpolate(x, scale_factor=1.0 / s, mode="bilinear", align_corners=False, antialias=True),
}


def zero_filled(lr, s):
    B, C, h, w = lr.shape
    H, W = h * s, w * s
    k = torch.fft.fftshift(torch.fft.fft2(lr.double()), dim=(-2, -1)) * (H * W) / (h * w)
    K = torch.zeros(B, C, H, W, dtype=k.dtype)
    top, left = H // 2 - h // 2, W // 2 - w // 2
    K[..., top:top + h, left:left + w] = k
    return torch.fft.ifft2(torch.fft.ifftshift(K, dim=(-2, -1))).real.float()


# ---------------------------------------------------------------- data consistency
# How deep below the floor the k-space projection holds a stored-at-floor pixel at least, as a fraction of the largest
# stored value in its 3 x 3 neighbourhood (above the floor): a lower matrix's ringing below zero, clipped by an unsigned
# file, is deepest next to bright pixels (a step's first lobe is 9% of the step below it). 0: the floor itself
# (models up to 2.12.0). Chosen among 0.03 / 0.06 / 0.1 on the validation subjects (card notes); the manifest's
# `consistency.floor_depth`, which the product reads.
FLOOR_DEPTH = 0.06


def floored_input(estimate, lr, floor, depth=None):
    """The LR values a k-space projection enforces when the input's file stores nothing below `floor` (an unsigned MR
    file's 0, normalised; None: no such floor), given `estimate`, the output's own lower matrix A(out): a pixel stored at
    the floor stands for the floor or less (a lower matrix's ringing below zero, clipped), and next to bright pixels for
    `depth` (FLOOR_DEPTH unless given) x its 3 x 3 neighbourhood's largest value (above the floor) below it or less; there
    the estimate is kept where it is lower still.
    With the k-space operator (A A^T a multiple of the identity) the projection onto this target is the exact
    projection onto {x : A x = lr above the floor, A x <= that ceiling at it}. On the MR validation lower matrices the
    floor alone gained 0.02-0.08 dB on every subject at x2 and x4 over enforcing the clipped zeros, and the depth 0.06
    0.01 (x2) and 0.03 (x4) dB more (card notes)."""
    if floor is None:
        return lr
    depth = FLOOR_DEPTH if depth is None else depth
    ceiling = floor - depth * F.max_pool2d((lr - floor).clamp(min=0), 3, 1, 1) if depth > 0 else floor
    return torch.where(lr <= floor, torch.minimum(estimate, torch.as_tensor(ceiling, dtype=estimate.dtype)), lr)


def data_consistency(out, lr, s, kind, floor=None, gaussian_share=0.0):
    """The product's data consistency (src/pipeline/consistency): an exact projection onto
    {x : A x = lr} for every operator, so the card scores what the TypeScript pipeline does; for k-space with the
    input's storage `floor` ([B,1,1,1] or a number, normalised), onto `floored_input`'s set; on the resampled path onto
    `resampled_down` with `gaussian_share`."""
    if kind == "kspace":
        B, C, H, W = out.shape
        h, w = lr.shape[-2:]
        k = torch.fft.fftshift(torch.fft.fft2(out.double()), dim=(-2, -1))
        if floor is not None:   # A(out) from the spectrum the projection needs anyway (kspace_down's operator)
            estimate = torch.fft.ifft2(torch.fft.ifftshift(_central_block(k, h, w), dim=(-2, -1))).real.to(lr.dtype)
            lr = floored_input(estimate, lr, floor)
        kl = torch.fft.fftshift(torch.fft.fft2(lr.double()), dim=(-2, -1)) * (H * W) / (h * w)
        top, left = H // 2 - h // 2, W // 2 - w // 2
        k[..., top:top + h, left:left + w] = kl
        # for even h (w) the block holds frequency -h/2 but not its mirror +h/2: write the mirror
        # too (conjugate) so the spectrum stays Hermitian and A(out) = lr exactly
        if h % 2 == 0:
            js = torch.arange(left, left + w)
            k[..., (2 * (H // 2) - top) % H, (2 * (W // 2) - js) % W] = torch.conj(k[..., top, js])
        if w % 2 == 0:
            rows = torch.arange(top, top + h)
            k[..., (2 * (H // 2) - rows) % H, (2 * (W // 2) - left) % W] = torch.conj(k[..., rows, left])
        return torch.fft.ifft2(torch.fft.ifftshift(k, dim=(-2, -1))).real.float()
    if kind == "area" and CT_BLUR_SIGMA_PX <= 0:
        d = lr - area_down(out, s)      # without blur the block-mean correction is the projection
        return out + F.interpolate(d, scale_factor=s, mode="nearest")
    op = (lambda x: area_down(x, s)) if kind == "area" else (lambda x: resampled_down(x, s, gaussian_share))
    return torch.cat([_project(op, out[i:i + 1], lr[i:i + 1]) for i in range(out.shape[0])])


def _project(op, out, lr, tol=1e-6, max_iter=200):
    """out + A^T (A A^T)^-1 (lr - A out): conjugate gradients on the LR grid, A^T by autograd, to a relative residual
    of 1e-6 (src/pipeline/consistency/linear-projection.ts reaches the same projection exactly, by banded Cholesky
    factors of the separable operator's two axes)."""
    x0 = out.double()

    def adjoint(y):
        x = torch.zeros_like(x0, requires_grad=True)
        with torch.enable_grad():
            (g,) = torch.autograd.grad(op(x), x, grad_outputs=y)
        return g

    with torch.no_grad():
        r = lr.double() - op(x0)
        y, p = torch.zeros_like(r), r.clone()
        rr = float((r * r).sum())
        stop = tol * tol * max(float((lr.double() ** 2).sum()), 1e-24)
        for _ in range(max_iter):
            if rr <= stop:
                break
            q = op(adjoint(p))
            alpha = rr / float((p * q).sum())
            y, r = y + alpha * p, r - alpha * q
            nxt = float((r * r).sum())
            p, rr = r + (nxt / rr) * p, nxt
        return (x0 + adjoint(y)).float()


def dc_residual(out, lr, s, kind, floor=None, gaussian_share=0.0):
    """||A out - lr|| / ||lr||, against what the input's file says (`floored_input`) for k-space with a storage floor."""
    a = degrade(out, s, kind, gaussian_share)
    if kind == "kspace":
        lr = floored_input(a, lr, floor)
    return float(torch.linalg.norm(a - lr) / torch.linalg.norm(lr).clamp(min=1e-12))


# ---------------------------------------------------------------- metrics
def body_mask(hr_units, modality):
    a = hr_units.squeeze().numpy()
    if modality == "CT":
        m = a > -500
    else:
        hi = np.percentile(a, 99.5)
        m = a > 0.1 * hi
    m = ndimage.binary_closing(m, iterations=3)
    m = ndimage.binary_fill_holes(m)
    m = ndimage.binary_opening(m, iterations=2)
    return m


def psnr(x, ref, mask=None, peak=2.0):
    d = (x.squeeze().double().numpy() - ref.squeeze().double().numpy()) ** 2
    mse = d[mask].mean() if mask is not None else d.mean()
    return float(10 * np.log10(peak ** 2 / max(mse, 1e-20)))


def ssim(x, ref, mask=None, peak=2.0):
    a = x.squeeze().double().numpy()
    b = ref.squeeze().double().numpy()
    f = lambda z: ndimage.gaussian_filter(z, 1.5, truncate=3.5)
    c1, c2 = (0.01 * peak) ** 2, (0.03 * peak) ** 2
    ma, mb = f(a), f(b)
    va, vb, cov = f(a * a) - ma * ma, f(b * b) - mb * mb, f(a * b) - ma * mb
    s = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2))
    return float(s[mask].mean() if mask is not None else s.mean())


# ---------------------------------------------------------------- model 2.0: blind (auto) mode and training DC
# `auto` consistency: the degradation is unknown, so only the band where every degradation we know
# (k-space truncation, antialiased bicubic, blur + area) leaves the spectrum almost unchanged is
# enforced. Measured transfer at 0.1 / 0.2 cycles per LR pixel: bicubic 0.98 / 0.93, area 0.94 / 0.88,
# k-space 1 / 1. Full weight up to `pass`, a cosine taper to 0 at `stop` (fractions of the LR Nyquist
# frequency, per axis): the coarse image (contrast, shading, anatomy's position) always agrees with the
# input; the rest is the network's, trained with its loss taken after this very projection.
AUTO_CONSISTENCY = {"kind": "lowband", "pass": 0.2, "stop": 0.4}   # + "grid": GRID in the manifest


def _band_weight(n, pass_, stop, dtype=torch.float64):
    """Weights over the n centred (fftshifted) frequencies of an n-point LR axis."""
    f = (torch.arange(n, dtype=dtype) - n // 2) / (n / 2.0)          # fraction of Nyquist, -1..1
    a = f.abs()
    t = ((a - pass_) / (stop - pass_)).clamp(0, 1)
    return torch.where(t >= 1, torch.zeros_like(t), torch.cos(t * math.pi / 2) ** 2)


# Where LR pixel i sits on the HR grid: at HR pixel s i for k-space truncation ("kspace" grid), at
# s i + (s - 1) / 2 for resampling and detector pixels ("centred"). The auto projection and x_up use the
# grid of the modality's x_up (MR zero-filled: kspace; CT bicubic: centred).
GRID = {"MR": "kspace", "CT": "centred", "default": "centred"}


def grid_for(modality):
    return GRID.get(modality, GRID["default"])


def _lr_spectrum_on_hr_grid(lr, H, W, grid):
    """Centred LR spectrum scaled to the HR grid; for the centred grid, phase-shifted by (s - 1) / 2 HR pixels."""
    h, w = lr.shape[-2:]
    kl = torch.fft.fftshift(torch.fft.fft2(lr.double()), dim=(-2, -1)) * (H * W) / (h * w)
    if grid == "centred":
        fy = (torch.arange(h, dtype=torch.float64) - h // 2) / H
        fx = (torch.arange(w, dtype=torch.float64) - w // 2) / W
        dy, dx = (H / h - 1) / 2, (W / w - 1) / 2
        phase = -2 * math.pi * (fy[:, None] * dy + fx[None, :] * dx)
        kl = kl * torch.polar(torch.ones_like(phase), phase)
    return kl


def lowband_consistency(out, lr, s, grid="kspace", pass_=AUTO_CONSISTENCY["pass"], stop=AUTO_CONSISTENCY["stop"]):
    """out + W (lr spectrum - out) in k-space, W separable, 1 in the safe band and 0 from `stop` on."""
    B, C, H, W = out.shape
    h, w = lr.shape[-2:]
    k = torch.fft.fftshift(torch.fft.fft2(out.double()), dim=(-2, -1))
    kl = _lr_spectrum_on_hr_grid(lr, H, W, grid)
    top, left = H // 2 - h // 2, W // 2 - w // 2
    wt = _band_weight(h, pass_, stop)[:, None] * _band_weight(w, pass_, stop)[None, :]
    blk = k[..., top:top + h, left:left + w]
    k = k.clone()
    k[..., top:top + h, left:left + w] = blk + wt * (kl - blk)
    return torch.fft.ifft2(torch.fft.ifftshift(k, dim=(-2, -1))).real.float()


def lowband_residual(out, lr, s, grid="kspace", pass_=AUTO_CONSISTENCY["pass"], stop=AUTO_CONSISTENCY["stop"]):
    """||F(crop(out)) - F(lr)|| / ||F(lr)|| over the fully enforced band: 0 after the projection."""
    H, W = out.shape[-2:]
    h, w = lr.shape[-2:]
    k = torch.fft.fftshift(torch.fft.fft2(out.double()), dim=(-2, -1))
    kl = _lr_spectrum_on_hr_grid(lr, H, W, grid)
    top, left = H // 2 - h // 2, W // 2 - w // 2
    full = ((_band_weight(h, pass_, stop)[:, None] * _band_weight(w, pass_, stop)[None, :]) >= 1).double()
    d = full * (k[..., top:top + h, left:left + w] - kl)
    return float(torch.linalg.norm(d) / torch.linalg.norm(full * kl).clamp(min=1e-12))


def consistency(out, lr, s, kind, modality, floor=None, gaussian_share=0.0):
    """The product's projection for a degradation kind, `auto` included (evaluation; no gradients needed)."""
    if kind == "auto":
        return lowband_consistency(out, lr, s, grid_for(modality))
    return data_consistency(out, lr, s, kind, floor, gaussian_share)


def consistency_residual(out, lr, s, kind, modality):
    return lowband_residual(out, lr, s, grid_for(modality)) if kind == "auto" else dc_residual(out, lr, s, kind)


def training_consistency(out, lr, s, kind, modality, cg_iters=6):
    """A differentiable version of `consistency`, so the loss is taken after the projection.

    k-space and auto are closed-form; area and bicubic run a fixed number of conjugate-gradient steps
    on the LR grid (A^T by autograd with create_graph), close to the exact projection on patches.
    """
    if kind == "auto":
        return lowband_consistency(out, lr, s, grid_for(modality))
    if kind == "kspace":
        return data_consistency(out, lr, s, "kspace")
    op = (lambda x: area_down(x, s)) if kind == "area" else (lambda x: bicubic_down(x, s))
    dummy = torch.zeros_like(out, requires_grad=True)
    with torch.enable_grad():
        image_of = op(dummy)

    def adjoint(y):
        (g,) = torch.autograd.grad(image_of, dummy, grad_outputs=y, create_graph=True, retain_graph=True)
        return g

    r = lr - op(out)
    y = torch.zeros_like(r)
    p = r
    rr = (r * r).sum(dim=(1, 2, 3), keepdim=True)
    for _ in range(cg_iters):
        q = op(adjoint(p))
        alpha = rr / (p * q).sum(dim=(1, 2, 3), keepdim=True).clamp(min=1e-20)
        y = y + alpha * p
        r = r - alpha * q
        nxt = (r * r).sum(dim=(1, 2, 3), keepdim=True)
        p = r + (nxt / rr.clamp(min=1e-20)) * p
        rr = nxt
    return out + adjoint(y)


def per_sample_consistency(out, lr, s, kinds, modalities, differentiable=False):
    """Each sample of a batch projected for its own path and modality (`kinds`, `modalities`: one per sample):
    `consistency`, or `training_consistency` when the loss is taken after it."""
    projected = torch.empty_like(out)
    for kind, mod in sorted(set(zip(kinds, modalities))):
        idx = torch.tensor([i for i, km in enumerate(zip(kinds, modalities)) if km == (kind, mod)], device=out.device)
        project = training_consistency if differentiable else consistency
        projected[idx] = project(out[idx], lr[idx], s, kind, mod).to(out.dtype)
    return projected


def magnitude_with_noise(x, sigma, gen):
    """|x + n|, n complex Gaussian (std sigma per channel): the noisy magnitude image of a real scan (x real, or complex
    with its phase)."""
    if sigma <= 0:
        return x, None
    n = torch.randn(x.shape + (2,), generator=gen, dtype=torch.float64) * sigma
    z = x.to(torch.complex128) + torch.complex(n[..., 0], n[..., 1])
    return z.abs().float(), z


def kspace_down_complex(z, s):
    """|central k-space block| of a complex image: a lower acquisition matrix, magnitude reconstructed."""
    B, C, H, W = z.shape
    h, w = H // s, W // s
    k = torch.fft.fftshift(torch.fft.fft2(z), dim=(-2, -1))
    top, left = H // 2 - h // 2, W // 2 - w // 2
    kc = k[..., top:top + h, left:left + w] * (h * w) / (H * W)
    return torch.fft.ifft2(torch.fft.ifftshift(kc, dim=(-2, -1))).abs().float()
