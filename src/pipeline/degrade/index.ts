import { MedsrError } from '../../shared/errors';
import type { SimulatedDegradation } from '../../shared/upscale-options';
import type { Plane } from '../plane';
import { resampledOperator } from '../resample/resamplers';
import { areaDown } from './area';
import { kspaceDown } from './kspace';

/** The degradations that can be simulated: the shared list (shared/upscale-options). */
export type DegradationKind = SimulatedDegradation;

export interface DegradeOptions {
  /** Gaussian sigma (HR pixels) before area averaging: the manifest's `degradations.ct.blur_sigma_px` (required for 'area'). */
  blurSigma?: number;
  /** For 'bicubic' (a resampled input), the share of scikit-image's Gaussian + spline in the operator (resample/resamplers.ts); 0 when absent. */
  gaussianShare?: number | undefined;
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
      const op = resampledOperator(options.gaussianShare ?? 0, hr.height, hr.width, scale);
      const [h, w] = op.outShape;
      return { data: Float32Array.from(op.apply(hr.data)), height: h, width: w };
    }
  }
}

export { kspaceDown } from './kspace';
export { areaDown } from './area';
