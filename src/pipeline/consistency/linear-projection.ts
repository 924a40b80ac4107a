import type { Plane } from '../plane';
import type { AxisTaps, SeparableOperator } from '../resample/taps';

/**
 * Range/null-space projection for a separable linear degradation A = C (x) R (DDNM): out + A^T (A A^T)^-1 (lr - A out),
 * the smallest change that makes A(out) equal lr. (A A^T)^-1 = (C C^T)^-1 (x) (R R^T)^-1, so the LR residual is solved
 * along its rows with R's Gram matrix and along its columns with C's, each factorised once (Cholesky; local taps make
 * them banded): exact, and several times faster than conjugate gradients on the LR grid (training/degrade.py `_project`
 * runs those; both reach the same projection). The Gram matrices are positive definite for the blur, cubic and spline
 * operators here.
 */
export function projectOntoData(out: Plane, lr: Plane, op: SeparableOperator): Plane {
  const [outH, outW] = op.outShape;
  const ax = op.apply(out.data);
  const r = new Float64Array(lr.data.length);
  for (let i = 0; i < r.length; i++) r[i] = lr.data[i]! - ax[i]!;
  const rows = factorOf(op.rows);
  for (let y = 0; y < outH; y++) solveInPlace(rows, r, y * outW, 1);
  const cols = factorOf(op.cols);
  for (let x = 0; x < outW; x++) solveInPlace(cols, r, x, outW);
  const correction = op.applyTranspose(r);
  const data = new Float32Array(out.data.length);
  for (let i = 0; i < data.length; i++) data[i] = out.data[i]! + correction[i]!;
  return { data, height: out.height, width: out.width };
}

/** L (L L^T = the Gram matrix) in band storage: L[i][i - d] at l[i * (band + 1) + d], d = 0..band (the taps are local, so
 * the Gram matrix and L are banded; a series' operators are kept, so their factors stay small). */
type Factor = { l: Float64Array; n: number; band: number };
const factors = new WeakMap<AxisTaps, Factor>();

/** The Cholesky factor of an axis's Gram matrix, kept as long as its taps are (an operator used again reuses it). */
function factorOf(taps: AxisTaps): Factor {
  let f = factors.get(taps);
  if (!f) {
    f = cholesky(taps.outSize, gram(taps));
    factors.set(taps, f);
  }
  return f;
}

/** T T^T of one axis's taps: outSize x outSize, row-major, and its half-bandwidth. */
function gram(taps: AxisTaps): { g: Float64Array; band: number } {
  const m = taps.outSize;
  const n = taps.inSize;
  const dense = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const idx = taps.index[i]!;
    for (let k = 0; k < idx.length; k++) dense[i * n + idx[k]!]! += taps.weight[i]![k]!;
  }
  const g = new Float64Array(m * m);
  let band = 0;
  for (let i = 0; i < m; i++) {
    const idx = taps.index[i]!;
    const w = taps.weight[i]!;
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < idx.length; k++) s += w[k]! * dense[j * n + idx[k]!]!;
      if (s !== 0) band = Math.max(band, i - j);
      g[i * m + j] = s;
      g[j * m + i] = s;
    }
  }
  return { g, band };
}

/** Banded Cholesky: zero outside the band stays zero in L. */
function cholesky(n: number, { g, band }: { g: Float64Array; band: number }): Factor {
  const w = band + 1;
  const l = new Float64Array(n * w);
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - band); j <= i; j++) {
      let s = g[i * n + j]!;
      for (let k = Math.max(0, i - band); k < j; k++) s -= l[i * w + i - k]! * l[j * w + j - k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error('data consistency: the operator has a rank-deficient Gram matrix');
        l[i * w] = Math.sqrt(s);
      } else l[i * w + i - j] = s / l[j * w]!;
    }
  }
  return { l, n, band };
}

/** v <- (L L^T)^-1 v for the n values of v at offset + k * stride. */
function solveInPlace({ l, n, band }: Factor, v: Float64Array, offset: number, stride: number): void {
  const w = band + 1;
  for (let i = 0; i < n; i++) {
    let s = v[offset + i * stride]!;
    for (let k = Math.max(0, i - band); k < i; k++) s -= l[i * w + i - k]! * v[offset + k * stride]!;
    v[offset + i * stride] = s / l[i * w]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = v[offset + i * stride]!;
    for (let k = i + 1; k <= Math.min(n - 1, i + band); k++) s -= l[k * w + k - i]! * v[offset + k * stride]!;
    v[offset + i * stride] = s / l[i * w]!;
  }
}
