"""Inputs a scanner already zero-filled: where an MR slice's own spectrum ends inside its band.

MR scanners reconstruct to larger matrices than they acquire by zero-filling k-space (GE ZIP, Philips' reconstruction
matrix, Siemens interpolation). Such a slice has nothing beyond the acquired band, and neither does a larger copy
of it: when a lower-matrix or resampled copy of it still holds that band's edge, the edge shows in the copy's own
spectrum as a cliff. On the MR validation slices zero-filled from 0.375 and 0.45 of their matrix and cut at x2,
the drop along every axis is 9.0 dB or more (5th percentile 9.9); on the 5360 axes of 48 pixels or more of every
training, validation and external CT and MR slice, as it is and degraded at x2 and x4, it reached 8.0 dB once
(a Colin27 x4 slice) and 7 dB ten times. Detail the model adds beyond the input's band is then detail the scan
never had: the product keeps none of it along that axis (the k-space path's output is then zero-filled Fourier
interpolation there). Not found: zero-filled scans whose lower-matrix copy is exactly the acquired matrix (the band
then ends at the copy's own Nyquist frequency), and some with sharp edges and little noise (a zero-filled phantom
drops 7-13 dB). Caught though it is no scanner's doing: an image with a comb of a spectrum (nibabel's test file
0.dcm, a synthetic ramp that repeats every 16 rows) cut to a lower matrix at x2, and at x4.
The pipeline (pipeline.py `finish`, src/pipeline/band-limit.ts) applies this to MR on every path.

The header can say the same where the spectrum cannot: DICOM's AcquisitionMatrix (0018,1310) gives the matrix the
scanner acquired (its phase-encoding count lies along InPlanePhaseEncodingDirection, its frequency count across
it). An input smaller than that matrix was reduced after reconstruction (a scan the scanner zero-filled to 512 from
256, cut to 128 for x4: its band is all inside the acquired one, so it shows no cliff). Any reconstruction
of that acquisition on the output's grid holds nothing beyond the acquired band, so along an axis where the input is
smaller than the acquired matrix and the output larger, the output keeps nothing beyond it (`acquired_band`). An
input at its acquired matrix is left alone: adding detail beyond an acquisition is what super-resolution is for.
"""
import numpy as np
import torch

DROP_DB = 8.0       # the cliff: mean power just inside it over the power beyond, in dB
MIN_PIXELS = 48     # shorter axes have too few frequency bins to tell a cliff from noise (32 px EPI x4 slices reach 11 dB)
LOWEST = 0.4        # the lowest cliff position looked for, as a fraction of the input's Nyquist frequency
TAIL = 0.06         # the band beyond a cliff spans at least this fraction of Nyquist (and 3 bins)
AXES = ("rows", "columns")
MODALITIES = ("MR",)
# The path `auto` takes for such an input. A band-limited slice is a scanner's zero-filled reconstruction, so its
# pixels sit on the k-space grid of what was acquired; and the detector, which reads the band near Nyquist that such
# a slice lacks, calls most of them resampled. Neither the detector nor the spectrum tells the two grids apart here,
# and the k-space path is the cheaper mistake: on validation slices zero-filled from 3/8 of their matrix and cut at x2,
# the resampled path lost 18-27 dB to zero-filling on the lower-matrix copies, the k-space path 11-14 dB to Lanczos
# on the resampled ones (the card's "Scanner-interpolated MR" table).
ROUTE = "kspace"


def profile(x, axis):
    """Mean power per |frequency| along `axis` (0: rows' direction, the vertical frequencies), folded over +-f, in dB,
    from 0 up to but without the Nyquist bin (which acquisitions keep, drop or mirror by their own rules)."""
    x = np.asarray(x, dtype=np.float64)
    p = (np.abs(np.fft.fft2(x - x.mean())) ** 2).mean(axis=1 - axis)
    half = x.shape[axis] // 2
    folded = np.array([p[0]] + [(p[k] + p[-k]) / 2 for k in range(1, half)])
    return 10 * np.log10(folded + 1e-30)


def cliff(x, axis):
    """(drop in dB, position as a fraction of Nyquist) of the largest cliff of `x`'s spectrum along `axis`."""
    p = profile(x, axis)
    half = len(p)
    w = max(2, half // 16)
    last = half - max(3, int(TAIL * half + 0.5))      # rounds half up, as Math.round (band-limit.ts)
    best = (0.0, 1.0)
    for k in range(max(w, int(LOWEST * half)), last + 1):
        drop = p[k - w:k].mean() - max(p[k + 1:].mean(), p[k + 1:k + 1 + w].mean())
        if drop > best[0]:
            best = (float(drop), k / half)
    return best


def detect(lr):
    """{axis: cliff position (fraction of Nyquist)} for each axis of the 2-D slice `lr` whose spectrum ends inside its band."""
    lr = lr.squeeze().cpu().numpy() if torch.is_tensor(lr) else np.asarray(lr)
    out = {}
    for axis, name in enumerate(AXES):
        if lr.shape[axis] >= MIN_PIXELS:
            drop, where = cliff(lr, axis)
            if drop >= DROP_DB:
                out[name] = round(where, 4)
    return out


def input_band(lr_shape, axes):
    """{axis: highest |frequency| kept} for the input's band along `axes`: (h - 1) // 2 for an h-pixel input, so
    without an even input's Nyquist frequency (whose mirror pair the k-space projection leaves half unset, and where
    a band-limited input holds nothing)."""
    return {a: (lr_shape[-2 + AXES.index(a)] - 1) // 2 for a in AXES if a in axes}


def acquired_band(lr_shape, s, acquired):
    """{axis: highest |frequency| kept} from the acquired matrix (rows, columns) of the image's axes (None: unknown):
    along each axis where the input is smaller than it and the output larger, m // 2 for m acquired lines (a magnitude
    image of such an acquisition holds frequencies up to m / 2 on either side)."""
    if not acquired:
        return {}
    return {a: m // 2 for a, m, n in zip(AXES, acquired, lr_shape[-2:]) if n < m < n * s}


def keep_band(out, highest):
    """`out` [B,1,H,W] with nothing beyond |f| = highest[axis] (frequency bins of the output's grid) along each axis
    named in `highest`."""
    if not highest:
        return out
    H, W = out.shape[-2:]
    keep = torch.ones(H, W, dtype=torch.float64)
    if "rows" in highest:
        keep = keep * (torch.fft.fftfreq(H, 1 / H).abs().view(-1, 1) <= highest["rows"])
    if "columns" in highest:
        keep = keep * (torch.fft.fftfreq(W, 1 / W).abs().view(1, -1) <= highest["columns"])
    return torch.fft.ifft2(torch.fft.fft2(out.double()) * keep).real.to(out.dtype)


def route(lr, modality):
    """ROUTE when `auto` should take it for this slice (an MR input with a band limit), else None (the detector decides)."""
    return ROUTE if modality in MODALITIES and detect(lr) else None


def bands(lr, s, acquired=None):
    """{axis: highest |frequency| kept} for the 2-D input `lr` at scale s: the tighter of the band its spectrum shows
    and the acquired matrix's."""
    own, acq = input_band(lr.shape, detect(lr)), acquired_band(lr.shape, s, acquired)
    return {a: min(v for v in (own.get(a), acq.get(a)) if v is not None) for a in AXES if a in own or a in acq}


def apply(out, lr, acquired=None):
    """Each slice of `out` limited to the band its input `lr` (same batch) shows and, when known, to the acquired
    matrix's band (`acquired_band`)."""
    s = out.shape[-1] // lr.shape[-1]
    return torch.cat([keep_band(out[i:i + 1], bands(lr[i], s, acquired)) for i in range(out.shape[0])])


def acquired_matrix(shape, fraction):
    """(rows, columns) of the central `fraction` of a matrix of `shape` (even counts): what `zero_filled_scan` acquires."""
    return tuple(2 * int(round(fraction * n / 2)) for n in shape[-2:])


def zero_filled_scan(x, fraction):
    """`x` [B,1,H,W] as a scanner reconstructs it from the central `fraction` of its matrix: that block of k-space
    zero-filled to H x W, magnitude (the evaluation's scanner-interpolated slices)."""
    H, W = x.shape[-2:]
    h, w = acquired_matrix(x.shape, fraction)
    k = torch.fft.fftshift(torch.fft.fft2(x.double()), dim=(-2, -1))
    keep = torch.zeros(H, W, dtype=torch.float64)
    keep[H // 2 - h // 2:H // 2 + h // 2, W // 2 - w // 2:W // 2 + w // 2] = 1
    return torch.fft.ifft2(torch.fft.ifftshift(k * keep, dim=(-2, -1))).abs().to(x.dtype)


def params():
    """The manifest's `band_limit` entry (src/pipeline/band-limit.ts reads it)."""
    return {"modalities": list(MODALITIES), "route": ROUTE, "drop_db": DROP_DB, "min_pixels": MIN_PIXELS, "lowest": LOWEST,
            "tail": TAIL}
