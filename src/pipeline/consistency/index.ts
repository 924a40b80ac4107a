import type { DegradationKind } from '../degrade';
import { degrade } from '../degrade';
import { relativeError, type Plane } from '../plane';
import { areaConsistency } from './area';
import { bicubicConsistency } from './bicubic';
import { kspaceConsistency } from './kspace';

export interface ConsistencyResult {
  image: Plane;
  /** ||A(image) - lr|| / ||lr|| after the projection. */
  residual: number;
}

/** Makes `out` agree with the LR input under degradation `kind`, and measures how well it does. */
export function applyConsistency(out: Plane, lr: Plane, scale: number, kind: DegradationKind, options: { blurSigma: number }): ConsistencyResult {
  let image: Plane;
  switch (kind) {
    case 'kspace':
      image = kspaceConsistency(out, lr);
      break;
    case 'area':
      image = areaConsistency(out, lr, scale, options.blurSigma);
      break;
    case 'bicubic':
      image = bicubicConsistency(out, lr, scale);
      break;
  }
  return { image, residual: consistencyResidual(image, lr, scale, kind, options) };
}

export function consistencyResidual(image: Plane, lr: Plane, scale: number, kind: DegradationKind, options: { blurSigma: number }): number {
  return relativeError(degrade(image, scale, kind, { blurSigma: options.blurSigma }).data, lr.data);
}
