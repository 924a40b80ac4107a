import type { Plane } from '../plane';
import { bicubicDownOperator } from '../resample/bicubic';
import { projectOntoData } from './linear-projection';

/**
 * Data consistency for the antialiased bicubic degradation: the exact least-change projection
 * (back-projection iterated to convergence, done by conjugate gradients).
 */
export function bicubicConsistency(out: Plane, lr: Plane, s: number): Plane {
  return projectOntoData(out, lr, bicubicDownOperator(out.height, out.width, s));
}
