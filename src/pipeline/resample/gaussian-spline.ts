import { composeTaps, makeTaps, summedPairs, type AxisTaps } from './taps';

/**
 * scikit-image's antialiased downsampling (`resize` / `rescale` with anti_aliasing, order 3, mode 'reflect'): a
 * Gaussian of sigma (s - 1) / 2 input pixels, then the interpolating cubic B-spline sampled at the output pixels'
 * centres (i + 0.5) s - 0.5, both with scipy's 'mirror' borders, on one axis. training/degrade.py
 * `gaussian_spline_matrix` is the same matrix; the resampled path blends it with the contract's bicubic by the resampler
 * detector's P (resamplers.ts).
 */
export function gaussianSplineDownTaps(inSize: number, s: number): AxisTaps {
  return composeTaps(mirroredGaussianTaps(inSize, (s - 1) / 2), splineSampleTaps(inSize, s));
}

/** Index i folded into 0..n-1 as scipy's 'mirror' mode extends a signal (... 2 1 | 0 1 ... n-1 | n-2 ...). */
function mirrored(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const j = Math.abs(i) % period;
  return j >= n ? period - j : j;
}

/** scipy's gaussian_filter1d: cut at 4 sigma, normalised, mirrored borders. */
function mirroredGaussianTaps(n: number, sigma: number): AxisTaps {
  if (sigma <= 0) return makeTaps(n, n, (i) => [[i, 1]]);
  const r = Math.trunc(4 * sigma + 0.5);
  const kernel = Array.from({ length: 2 * r + 1 }, (_, k) => Math.exp(-0.5 * ((k - r) / sigma) ** 2));
  const total = kernel.reduce((a, b) => a + b, 0);
  return makeTaps(n, n, (i) => summedPairs(kernel.map((v, k) => [mirrored(i + k - r, n), v / total])));
}

function cubicBSpline(t: number): number {
  const a = Math.abs(t);
  if (a < 1) return 2 / 3 - a * a + (a * a * a) / 2;
  if (a < 2) return (2 - a) ** 3 / 6;
  return 0;
}

// the spline's coefficient weights decay by 2 - sqrt(3) per sample: below this they are dropped (about 17 on each side)
const NEGLIGIBLE = 1e-10;

/**
 * The interpolating cubic spline of an n-sample signal, sampled at (i + 0.5) s - 0.5: row i is b_i M^-1, where b_i
 * holds the B-spline's weights at those knots and M the B-spline at the knots (its coefficients c solve M c = samples;
 * mirrored at both ends, so M's first and last rows are (4, 2) / 6 and (2, 4) / 6). Solved as M^T w = b_i.
 */
function splineSampleTaps(n: number, s: number): AxisTaps {
  return makeTaps(n, Math.floor(n / s), (i) => {
    const t = (i + 0.5) * s - 0.5;
    const k0 = Math.floor(t);
    const b = new Float64Array(n);
    for (let k = k0 - 1; k <= k0 + 2; k++) b[mirrored(k, n)]! += cubicBSpline(t - k);
    const w = solveTransposedKnots(b);
    const pairs: Array<[number, number]> = [];
    for (let j = 0; j < n; j++) if (Math.abs(w[j]!) > NEGLIGIBLE) pairs.push([j, w[j]!]);
    return pairs;
  });
}

/** Solves M^T w = b for the mirrored knot matrix M (tridiagonal: the Thomas algorithm). */
function solveTransposedKnots(b: Float64Array): Float64Array {
  const n = b.length;
  if (n === 1) return Float64Array.of(b[0]!);
  // M^T: 4/6 on the diagonal, 1/6 beside it, except M[0][1] = 2/6 (at (1, 0) in M^T) and M[n-1][n-2] = 2/6 (at (n-2, n-1))
  const lower = (row: number): number => (row === 1 ? 2 / 6 : 1 / 6);
  const upper = (row: number): number => (row === n - 2 ? 2 / 6 : 1 / 6);
  const c = new Float64Array(n);
  const d = new Float64Array(n);
  c[0] = upper(0) / (4 / 6);
  d[0] = b[0]! / (4 / 6);
  for (let row = 1; row < n; row++) {
    const m = 4 / 6 - lower(row) * c[row - 1]!;
    if (row < n - 1) c[row] = upper(row) / m;
    d[row] = (b[row]! - lower(row) * d[row - 1]!) / m;
  }
  const w = new Float64Array(n);
  w[n - 1] = d[n - 1]!;
  for (let row = n - 2; row >= 0; row--) w[row] = d[row]! - c[row]! * w[row + 1]!;
  return w;
}

