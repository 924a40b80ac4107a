import { boxMean3, type Plane } from './plane';
import type { Tile } from './tiling';

/**
 * The normalised level that separates the subject from the background: 10% of the normalised range above its floor
 * (-1), the evaluation's body-mask level (MR: 10% of the slice's 99.5th percentile above its minimum; CT: -717 HU).
 */
export const FOREGROUND_LEVEL = -0.8;

/**
 * The smallest window that holds every pixel whose 3 x 3 mean (edge pixels repeated) is above `level`, grown by
 * `margin` on each side, its corners on multiples of `multiple` (clamped to the plane); undefined when nothing is above
 * it. The 3 x 3 mean keeps single noise pixels of a noisy background from stretching the window; a noisy enough
 * background still gives the whole plane, which only costs the time the window would have saved.
 */
export function foregroundBox(p: Plane, margin: number, multiple: number, level = FOREGROUND_LEVEL): Tile | undefined {
  const { data, height, width } = p;
  const mean = boxMean3(data, height, width);
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mean[y * width + x]! <= level) continue;
      if (y < top) top = y;
      bottom = y;
      if (x < left) left = x;
      if (x > right) right = x;
    }
  }
  if (bottom < 0) return undefined;
  const y = Math.max(Math.floor((top - margin) / multiple) * multiple, 0);
  const x = Math.max(Math.floor((left - margin) / multiple) * multiple, 0);
  const yEnd = Math.min(Math.ceil((bottom + 1 + margin) / multiple) * multiple, height);
  const xEnd = Math.min(Math.ceil((right + 1 + margin) / multiple) * multiple, width);
  return { y, x, height: yEnd - y, width: xEnd - x };
}
