import { percentiles } from '../../../src/ingest/transforms/percentile';
import { SeededRng } from '../../../src/shared/rng';

/** numpy's default ("linear") percentile, the slow obvious way: sort everything, interpolate. */
function naivePercentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

describe('percentiles', () => {
  it('matches numpy on small hand-checked vectors', () => {
    expect(percentiles([4, 1, 3, 2], [0, 50, 100])).toEqual([1, 2.5, 4]);
    expect(percentiles([10], [0, 99.5])).toEqual([10, 10]);
    expect(percentiles([0, 10], [25])).toEqual([2.5]);
  });

  it.each([7, 100, 4097])('agrees with a full sort on %d random values with many ties', (n) => {
    const rng = new SeededRng(n);
    const values = Array.from({ length: n }, () => Math.floor(rng.nextFloat() * 50) - 20 + (rng.nextFloat() < 0.1 ? 0.5 : 0));
    const ps = [0, 0.5, 1, 12.3, 50, 87.5, 99, 99.5, 100];
    const fast = percentiles(values, ps);
    ps.forEach((p, i) => expect(fast[i]).toBeCloseTo(naivePercentile(values, p), 10));
  });

  it('does not reorder its input', () => {
    const values = Int32Array.from([5, 3, 9, 1]);
    percentiles(values, [50]);
    expect(Array.from(values)).toEqual([5, 3, 9, 1]);
  });

  it('rejects empty input and out-of-range percentiles', () => {
    expect(() => percentiles([], [50])).toThrow(RangeError);
    expect(() => percentiles([1, 2], [101])).toThrow(RangeError);
    expect(() => percentiles([1, 2], [Number.NaN])).toThrow(RangeError);
  });
});
