import type { Plane } from '../plane';
import { makeTaps, SeparableOperator, stretchedFilterTaps, type AxisTaps } from './taps';

/** Keys' cubic convolution kernel with parameter a. */
export function cubicKernel(x: number, a: number): number {
  const t = Math.abs(x);
  if (t <= 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return ((t - 5) * t + 8) * t * a - 4 * a;
  return 0;
}

/**
 * The contract's upsampling: PyTorch `F.interpolate(mode="bicubic", align_corners=False)` with
 * scale_factor s. a = -0.75, half-pixel centres (src = (i + 0.5) / s - 0.5, not clamped),
 * 4 taps whose indices are clamped to the edge.
 */
export function bicubicUpTaps(inSize: number, s: number): AxisTaps {
  return makeTaps(inSize, inSize * s, (i) => {
    const src = (i + 0.5) / s - 0.5;
    const x0 = Math.floor(src);
    const t = src - x0;
    const pairs: Array<[number, number]> = [];
    for (let k = -1; k <= 2; k++) {
      const j = Math.min(Math.max(x0 + k, 0), inSize - 1);
      pairs.push([j, cubicKernel(k - t, -0.75)]);
    }
    return pairs;
  });
}

export function bicubicUpsample(p: Plane, s: number): Plane {
  const op = new SeparableOperator(bicubicUpTaps(p.width, s), bicubicUpTaps(p.height, s));
  return { data: Float32Array.from(op.apply(p.data)), height: p.height * s, width: p.width * s };
}

/**
 * The training recipe's bicubic degradation: PyTorch `F.interpolate(scale_factor=1/s,
 * mode="bicubic", align_corners=False, antialias=True)`, i.e. PIL's stretched cubic with a = -0.5.
 */
export function bicubicDownTaps(inSize: number, s: number): AxisTaps {
  return stretchedFilterTaps(inSize, Math.floor(inSize / s), (x) => cubicKernel(x, -0.5), 2);
}
