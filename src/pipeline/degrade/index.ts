import { MedsrError } from '../../shared/errors';
import type { SimulatedDegradation } from '../../shared/upscale-options';
import type { Plane } from '../plane';
import { CONTRACT_RESAMPLER, resampledOperator, type ResamplerMix } from '../resample/resamplers';
import { areaDown } from './area';
import { kspaceDown } from './kspace';

/** The degradations that can be simulated: the shared list (shared/upscale-options). */
export type DegradationKind = SimulatedDegradation;

export interface DegradeOptions {
  /** Gaussian sigma (HR pixels) before area averaging: the manifest's `degradations.ct.blur_sigma_px` (required for 'area'). */
  blurSigma?: number;
  /** For 'bicubic' (a resampled input), the downsampler(s) that made it (resample/resamplers.ts); the contract's bicubic when absent. */
  resampler?: ResamplerMix | undefined;
}

/** The fixed degradation operator A (evaluation and data consistency), as the training recipe defines it. */
export function degrade(hr: Plane, scale: number, kind: DegradationKind, options: DegradeOptions = {}): Plane {
  switch (kind) {
    case 'kspace':
      return kspaceDown(hr, scale);
    case 'area':
      // a model constant: it must come from the manifest, never from a default here
      if (options.blurSigma === undefined) throw new MedsrError('invalid_input', 'degrade.blur', "the 'area' degradation needs blurSigma (manifest degradations.ct.blur_sigma_px)");
      return areaDown(hr, scale, options.blurSigma);
    case 'bicubic': {
      const op = resampledOperator(options.resampler ?? CONTRACT_RESAMPLER, hr.height, hr.width, scale);
      const [h, w] = op.outShape;
      return { data: Float32Array.from(op.apply(hr.data)), height: h, width: w };
    }
  }
}

export { kspaceDown } from './kspace';
export { areaDown } from './area';
