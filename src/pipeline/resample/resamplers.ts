import { bicubicDownTaps } from './bicubic';
import { gaussianSplineDownTaps } from './gaussian-spline';
import { blendTaps, recentlyBuilt, SeparableOperator, type AxisTaps } from './taps';

/**
 * The operator the resampled path projects onto (training/degrade.py `resampled_down`): on each axis, the contract's
 * antialiased bicubic (PyTorch's, PIL's) blended with scikit-image's Gaussian + cubic spline by `gaussianShare`, the
 * resampler detector's P(Gaussian + spline) for the slice (training/resampler_detector.py; 0 where it does not judge).
 * Blended per axis, it stays separable, so its projection is exact and cheap (consistency/linear-projection.ts).
 */
export function resampledOperator(gaussianShare: number, height: number, width: number, s: number): SeparableOperator {
  return recentlyBuilt(`resampled:${gaussianShare}:${height}:${width}:${s}`,
    () => new SeparableOperator(resampledTaps(gaussianShare, width, s), resampledTaps(gaussianShare, height, s)));
}

function resampledTaps(gaussianShare: number, n: number, s: number): AxisTaps {
  if (gaussianShare <= 0) return bicubicDownTaps(n, s);
  // every slice has its own share, but a series' slices share their size: the spline's taps (the costly part) are kept
  const gaussian = recentlyBuilt(`gaussian-spline:${n}:${s}`, () => gaussianSplineDownTaps(n, s));
  return gaussianShare >= 1 ? gaussian : blendTaps(bicubicDownTaps(n, s), gaussian, gaussianShare);
}
