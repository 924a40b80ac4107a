import type { Plane } from '../plane';
import { areaDownOperator } from '../degrade/area';
import { projectOntoData } from './linear-projection';

/**
 * CT data consistency for blur + s x s area averaging. Without blur this is exactly the
 * contract's rule (add to every block the LR pixel minus the block mean); with the blur the same
 * idea becomes the least-change projection onto {x : A x = lr}, solved by conjugate gradients.
 */
export function areaConsistency(out: Plane, lr: Plane, s: number, blurSigma: number): Plane {
  if (blurSigma <= 0) return blockMeanCorrection(out, lr, s);
  return projectOntoData(out, lr, areaDownOperator(out.height, out.width, s, blurSigma));
}

function blockMeanCorrection(out: Plane, lr: Plane, s: number): Plane {
  const data = Float32Array.from(out.data);
  for (let by = 0; by < lr.height; by++) {
    for (let bx = 0; bx < lr.width; bx++) {
      let mean = 0;
      for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) mean += out.data[(by * s + dy) * out.width + bx * s + dx]!;
      const d = lr.data[by * lr.width + bx]! - mean / (s * s);
      for (let dy = 0; dy < s; dy++) for (let dx = 0; dx < s; dx++) data[(by * s + dy) * out.width + bx * s + dx]! += d;
    }
  }
  return { data, height: out.height, width: out.width };
}
