import type { Plane } from '../plane';
import { bicubicDownOperator } from '../resample/bicubic';
import { areaDown } from './area';
import { kspaceDown } from './kspace';

export type DegradationKind = 'kspace' | 'area' | 'bicubic';

export interface DegradeOptions {
  /** Gaussian sigma (HR pixels) before area averaging; the manifest's `degradations.ct.blur_sigma_px`. */
  blurSigma?: number;
}

/** The fixed degradation operator A (evaluation and data consistency), as the training recipe defines it. */
export function degrade(hr: Plane, scale: number, kind: DegradationKind, options: DegradeOptions = {}): Plane {
  switch (kind) {
    case 'kspace':
      return kspaceDown(hr, scale);
    case 'area':
      return areaDown(hr, scale, options.blurSigma ?? 0.5);
    case 'bicubic': {
      const op = bicubicDownOperator(hr.height, hr.width, scale);
      const [h, w] = op.outShape;
      return { data: Float32Array.from(op.apply(hr.data)), height: h, width: w };
    }
  }
}

export { kspaceDown } from './kspace';
export { areaDown } from './area';
