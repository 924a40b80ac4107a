import type { Plane } from './plane';
import type { Tile } from './tiling';

/**
 * The normalised level that separates the subject from the background: 10% of the normalised range above its floor
 * (-1), the evaluation's body-mask level (MR: 10% of the slice's 99.5th percentile above its minimum; CT: -717 HU).
 */
export const FOREGROUND_LEVEL = -0.8;

/**
 * The smallest window that holds every pixel whose 3 x 3 mean is above `level`, grown by `margin` on each side, its
 * corners on multiples of `multiple` (clamped to the plane); undefined when nothing is above it. The 3 x 3 mean keeps
 * single noise pixels of a noisy background from stretching the window; a noisy enough background still gives the
 * whole plane, which only costs the time the window would have saved.
 */
export function foregroundBox(p: Plane, margin: number, multiple: number, level = FOREGROUND_LEVEL): Tile | undefined {
  const { data, height, width } = p;
  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(y - 1, 0);
    const y1 = Math.min(y + 1, height - 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(x - 1, 0);
      const x1 = Math.min(x + 1, width - 1);
      let sum = 0;
      for (let r = y0; r <= y1; r++) for (let c = x0; c <= x1; c++) sum += data[r * width + c]!;
      if (sum / ((y1 - y0 + 1) * (x1 - x0 + 1)) > level) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) return undefined;
  const y = Math.max(Math.floor((top - margin) / multiple) * multiple, 0);
  const x = Math.max(Math.floor((left - margin) / multiple) * multiple, 0);
  const yEnd = Math.min(Math.ceil((bottom + 1 + margin) / multiple) * multiple, height);
  const xEnd = Math.min(Math.ceil((right + 1 + margin) / multiple) * multiple, width);
  return { y, x, height: yEnd - y, width: xEnd - x };
}
