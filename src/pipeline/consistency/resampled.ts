import type { Plane } from '../plane';
import { CONTRACT_RESAMPLER, resampledOperator, type ResamplerMix } from '../resample/resamplers';
import { projectOntoData } from './linear-projection';

/**
 * Data consistency for a resampled input: the exact least-change projection (linear-projection.ts) onto the operator of
 * `mix` (resample/resamplers.ts): the told downsampler, the resampler detector's blend, or the contract's bicubic.
 */
export function resampledConsistency(out: Plane, lr: Plane, s: number, mix: ResamplerMix = CONTRACT_RESAMPLER): Plane {
  return projectOntoData(out, lr, resampledOperator(mix, out.height, out.width, s));
}
