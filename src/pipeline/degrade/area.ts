import type { Plane } from '../plane';
import { composeTaps, makeTaps, recentlyBuilt, SeparableOperator, type AxisTaps } from '../resample/taps';

/** Normalised Gaussian of radius ceil(3 sigma) with replicate (edge-clamped) borders. */
export function gaussianBlurTaps(size: number, sigma: number): AxisTaps {
  if (sigma <= 0) return makeTaps(size, size, (i) => [[i, 1]]);
  const r = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-0.5 * ((k - r) / sigma) ** 2));
  const total = kernel.reduce((a, b) => a + b, 0);
  return makeTaps(size, size, (i) => kernel.map((v, k) => [Math.min(Math.max(i + k - r, 0), size - 1), v / total] as [number, number]));
}

/** Mean over blocks of s (a trailing remainder is dropped, as avg_pool2d does). */
export function blockMeanTaps(size: number, s: number): AxisTaps {
  return makeTaps(size, Math.floor(size / s), (i) => Array.from({ length: s }, (_, k) => [i * s + k, 1 / s] as [number, number]));
}

/**
 * CT detector model: Gaussian blur (sigma in HR pixels, the manifest's `degradations.ct`) then
 * s x s area averaging. The training recipe's `area_down`.
 */
export function areaDownOperator(height: number, width: number, s: number, blurSigma: number): SeparableOperator {
  const axis = (n: number): AxisTaps => composeTaps(gaussianBlurTaps(n, blurSigma), blockMeanTaps(n, s));
  return recentlyBuilt(`area:${blurSigma}:${height}:${width}:${s}`, () => new SeparableOperator(axis(width), axis(height)));
}

export function areaDown(p: Plane, s: number, blurSigma: number): Plane {
  const op = areaDownOperator(p.height, p.width, s, blurSigma);
  const [h, w] = op.outShape;
  return { data: Float32Array.from(op.apply(p.data)), height: h, width: w };
}
