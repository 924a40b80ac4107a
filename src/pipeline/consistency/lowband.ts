import type { AutoConsistency, SamplingGrid } from '../manifest';
import type { Plane } from '../plane';
import { bin, centredFrequencies, fft2Real, ifft2Real, type Spectrum } from '../fft/fft2';

/**
 * The `auto` projection, for inputs whose degradation is unknown: in the centred spectrum, the output
 * is pulled towards the (scaled) LR spectrum with a separable weight that is 1 up to `pass` and falls
 * (cosine squared) to 0 at `stop`, both fractions of the LR Nyquist frequency. In that band every
 * degradation we know (a lower acquisition matrix, antialiased resampling, detector blur + area)
 * leaves the image almost unchanged, so enforcing it is safe whichever made the input; the network
 * was trained with its loss after this projection. The weight is symmetric and 0 at Nyquist, so the
 * spectrum stays Hermitian and the result real. Matches training/degrade.py `lowband_consistency`.
 */
export function lowbandConsistency(out: Plane, lr: Plane, band: AutoConsistency, grid: SamplingGrid): Plane {
  const spec = fft2Real(out.data, out.height, out.width);
  forEachBandBin(spec, fft2Real(lr.data, lr.height, lr.width), band, grid, (dst, weight, re, im) => {
    spec.re[dst] = spec.re[dst]! + weight * (re - spec.re[dst]!);
    spec.im[dst] = spec.im[dst]! + weight * (im - spec.im[dst]!);
  });
  return { data: ifft2Real(spec), height: out.height, width: out.width };
}

/**
 * ||F(out) - F(lr)|| / ||F(lr)|| over the fully enforced band (weight 1): how far `out` is from the
 * input where `auto` makes it agree (0 after the projection, as for the exact projections).
 */
export function lowbandResidual(out: Plane, lr: Plane, band: AutoConsistency, grid: SamplingGrid): number {
  const spec = fft2Real(out.data, out.height, out.width);
  let diff = 0;
  let ref = 0;
  forEachBandBin(spec, fft2Real(lr.data, lr.height, lr.width), band, grid, (dst, weight, re, im) => {
    if (weight < 1) return;
    diff += (spec.re[dst]! - re) ** 2 + (spec.im[dst]! - im) ** 2;
    ref += re * re + im * im;
  });
  return Math.sqrt(diff) / Math.max(Math.sqrt(ref), 1e-12);
}

/**
 * Calls `visit` for every LR-band bin with a non-zero weight: its index in `to`, the weight, and the LR
 * value scaled to the HR grid. On the centred grid (LR pixel i at HR pixel s i + (s - 1) / 2: resampling,
 * detector pixels) the LR spectrum is phase-shifted by that offset; on the k-space grid (LR pixel i at
 * HR pixel s i) it is used as it is.
 */
function forEachBandBin(to: Spectrum, lr: Spectrum, band: AutoConsistency, grid: SamplingGrid,
  visit: (dst: number, weight: number, re: number, im: number) => void): void {
  const factor = (to.height * to.width) / (lr.height * lr.width);
  const dy = grid === 'centred' ? (to.height / lr.height - 1) / 2 : 0;
  const dx = grid === 'centred' ? (to.width / lr.width - 1) / 2 : 0;
  const wy = centredFrequencies(lr.height).map((f) => [f, bandWeight(f, lr.height, band)] as const);
  const wx = centredFrequencies(lr.width).map((f) => [f, bandWeight(f, lr.width, band)] as const);
  for (const [fy, a] of wy) {
    if (a === 0) continue;
    for (const [fx, b] of wx) {
      if (b === 0) continue;
      const src = bin(fy, lr.height) * lr.width + bin(fx, lr.width);
      const phase = -2 * Math.PI * ((fy * dy) / to.height + (fx * dx) / to.width);
      const re = lr.re[src]! * factor;
      const im = lr.im[src]! * factor;
      const c = Math.cos(phase);
      const s = Math.sin(phase);
      visit(bin(fy, to.height) * to.width + bin(fx, to.width), a * b, re * c - im * s, re * s + im * c);
    }
  }
}

/** The weight of signed frequency f on an n-point LR axis. */
export function bandWeight(f: number, n: number, band: AutoConsistency): number {
  const a = Math.abs(f) / (n / 2);
  if (a >= band.stop) return 0;        // exactly: the Nyquist bin must stay out (Hermitian spectrum)
  if (a <= band.pass) return 1;
  return Math.cos((((a - band.pass) / (band.stop - band.pass)) * Math.PI) / 2) ** 2;
}
