import type { Plane } from '../plane';
import { resampledOperator } from '../resample/resamplers';
import { projectOntoData } from './linear-projection';

/**
 * Data consistency for a resampled input: the exact least-change projection (linear-projection.ts) onto the contract's
 * antialiased bicubic, blended with scikit-image's Gaussian + spline by `gaussianShare` (the resampler detector's P;
 * resample/resamplers.ts).
 */
export function resampledConsistency(out: Plane, lr: Plane, s: number, gaussianShare = 0): Plane {
  return projectOntoData(out, lr, resampledOperator(gaussianShare, out.height, out.width, s));
}
