import { gaussianSplineDownTaps } from '../../../src/pipeline/resample/gaussian-spline';
import { gaussianShareMix, resampledOperator } from '../../../src/pipeline/resample/resamplers';
import { SeparableOperator } from '../../../src/pipeline/resample/taps';
import { SeededRng } from '../../../src/shared/rng';

function random(n: number, seed: number): Float64Array {
  const rng = new SeededRng(seed);
  return Float64Array.from({ length: n }, () => rng.nextGaussian());
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** <A x, y> = <x, A^T y>: the transpose the projection uses is A's. */
function expectAdjoint(op: SeparableOperator): void {
  const [inH, inW] = op.inShape;
  const [outH, outW] = op.outShape;
  const x = random(inH * inW, 1);
  const y = random(outH * outW, 2);
  const lhs = dot(op.apply(x), y);
  expect(Math.abs(lhs - dot(x, op.applyTranspose(y)))).toBeLessThan(1e-9 * Math.max(1, Math.abs(lhs)));
}

describe("scikit-image's antialiased resize (Gaussian + cubic spline)", () => {
  it.each([[37, 2], [64, 2], [38, 4], [9, 2], [2, 2]])('keeps a constant along %d samples at x%d, one output per s inputs', (n, s) => {
    const taps = gaussianSplineDownTaps(n, s);
    expect(taps.outSize).toBe(Math.floor(n / s));
    for (let i = 0; i < taps.outSize; i++) expect(taps.weight[i]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 8);
  });

  it('samples a linear ramp at the output pixel centres (i + 0.5) s - 0.5 away from the borders', () => {
    const n = 64;
    const taps = gaussianSplineDownTaps(n, 2);
    for (const i of [8, 15, 20]) {
      const value = taps.index[i]!.reduce((acc, j, k) => acc + taps.weight[i]![k]! * j, 0);
      expect(value).toBeCloseTo((i + 0.5) * 2 - 0.5, 6);
    }
  });

  it('has the adjoint its transpose applies, alone and blended with the contract bicubic', () => {
    expectAdjoint(resampledOperator({ 'gaussian-spline': 1 }, 40, 34, 2));
    expectAdjoint(resampledOperator(gaussianShareMix(0.3), 40, 34, 2));
  });

  it('blends to the contract bicubic at share 0 and to itself at share 1', () => {
    const x = random(32 * 32, 3);
    const ours = new SeparableOperator(gaussianSplineDownTaps(32, 2), gaussianSplineDownTaps(32, 2)).apply(x);
    expect(resampledOperator({ 'gaussian-spline': 1 }, 32, 32, 2).apply(x)).toEqual(ours);
    expect(resampledOperator({ bicubic: 1 }, 32, 32, 2).apply(x)).not.toEqual(ours);
  });
});
