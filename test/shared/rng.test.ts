import { SeededRng } from '../../src/shared/rng';

describe('SeededRng', () => {
  it('is reproducible for a seed and differs between seeds', () => {
    const a = new SeededRng(42).fillGaussian(new Float32Array(1000));
    const b = new SeededRng(42).fillGaussian(new Float32Array(1000));
    const c = new SeededRng(43).fillGaussian(new Float32Array(1000));
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(Buffer.from(a.buffer).equals(Buffer.from(c.buffer))).toBe(false);
  });

  it('draws standard normal values', () => {
    const n = 200_000;
    const x = new SeededRng(7).fillGaussian(new Float32Array(n));
    let sum = 0;
    let sq = 0;
    for (const v of x) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it('draws uniform floats in [0, 1)', () => {
    const rng = new SeededRng(1);
    const buckets = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const u = rng.nextFloat();
      min = Math.min(min, u);
      max = Math.max(max, u);
      buckets[Math.floor(u * 10)]! += 1;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });
});
