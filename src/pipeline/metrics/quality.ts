import { MedsrError } from '../../shared/errors';
import type { Plane } from '../plane';
import { makeTaps, SeparableOperator, type AxisTaps } from '../resample/taps';

/** Peak-to-peak of the normalised domain ([-1, 1]): the recipe's PSNR/SSIM peak. */
export const NORMALISED_PEAK = 2;

function sameShape(a: Plane, b: Plane): void {
  if (a.height !== b.height || a.width !== b.width) throw new MedsrError('invalid_input', 'metrics.shape', `images differ in size: ${a.height}x${a.width} vs ${b.height}x${b.width}`);
}

/** PSNR in dB over the whole frame, or over the pixels where mask is 1. */
export function psnr(x: Plane, ref: Plane, mask?: Uint8Array, peak = NORMALISED_PEAK): number {
  sameShape(x, ref);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < ref.data.length; i++) {
    if (mask && !mask[i]) continue;
    const d = x.data[i]! - ref.data[i]!;
    sum += d * d;
    n++;
  }
  const mse = n > 0 ? sum / n : 0;
  return 10 * Math.log10((peak * peak) / Math.max(mse, 1e-20));
}

/** SciPy's gaussian_filter taps (truncate 3.5 sigma, 'reflect' borders: d c b a | a b c d). */
function gaussianReflectTaps(n: number, sigma: number): AxisTaps {
  const r = Math.trunc(3.5 * sigma + 0.5);
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sigma) ** 2));
  const total = k.reduce((a, b) => a + b, 0);
  const reflect = (i: number): number => {
    const period = 2 * n;
    let j = ((i % period) + period) % period;
    if (j >= n) j = period - 1 - j;
    return j;
  };
  return makeTaps(n, n, (i) => k.map((v, t) => [reflect(i + t - r), v / total] as [number, number]));
}

/** The SSIM map with a Gaussian window (sigma 1.5), as the recipe computes it. */
export function ssimMap(x: Plane, ref: Plane, peak = NORMALISED_PEAK): Float64Array {
  sameShape(x, ref);
  const op = new SeparableOperator(gaussianReflectTaps(x.width, 1.5), gaussianReflectTaps(x.height, 1.5));
  const n = x.data.length;
  const a = Float64Array.from(x.data);
  const b = Float64Array.from(ref.data);
  const prod = (p: Float64Array, q: Float64Array): Float64Array => p.map((v, i) => v * q[i]!);
  const ma = op.apply(a);
  const mb = op.apply(b);
  const saa = op.apply(prod(a, a));
  const sbb = op.apply(prod(b, b));
  const sab = op.apply(prod(a, b));
  const c1 = (0.01 * peak) ** 2;
  const c2 = (0.03 * peak) ** 2;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const va = saa[i]! - ma[i]! * ma[i]!;
    const vb = sbb[i]! - mb[i]! * mb[i]!;
    const cov = sab[i]! - ma[i]! * mb[i]!;
    out[i] = ((2 * ma[i]! * mb[i]! + c1) * (2 * cov + c2)) / ((ma[i]! ** 2 + mb[i]! ** 2 + c1) * (va + vb + c2));
  }
  return out;
}

/** Mean SSIM over the frame, or over the mask. */
export function ssim(x: Plane, ref: Plane, mask?: Uint8Array, peak = NORMALISED_PEAK): number {
  const map = ssimMap(x, ref, peak);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < map.length; i++) {
    if (mask && !mask[i]) continue;
    sum += map[i]!;
    n++;
  }
  return n > 0 ? sum / n : NaN;
}
