import type { Plane } from '../plane';
import { SeparableOperator, stretchedFilterTaps } from './taps';

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/** Lanczos-3 window, as PIL's LANCZOS filter. */
export function lanczos3(x: number): number {
  return Math.abs(x) < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** Lanczos-3 resize (PIL semantics: half-pixel centres, window cut at borders and renormalised); a baseline. */
export function lanczosResize(p: Plane, height: number, width: number): Plane {
  const op = new SeparableOperator(stretchedFilterTaps(p.width, width, lanczos3, 3), stretchedFilterTaps(p.height, height, lanczos3, 3));
  return { data: Float32Array.from(op.apply(p.data)), height, width };
}

export function lanczosUpsample(p: Plane, s: number): Plane {
  return lanczosResize(p, p.height * s, p.width * s);
}
