import { SeededRng } from '../../src/shared/rng';
import { meanAndStd, SampleStatistics } from '../../src/pipeline/uncertainty';
import type { Plane } from '../../src/pipeline/plane';

describe('sample statistics', () => {
  const rng = new SeededRng(3);
  const samples: Plane[] = Array.from({ length: 5 }, (_, k) => ({ data: Float32Array.from({ length: 12 }, () => 100 + k + rng.nextGaussian()), height: 3, width: 4 }));

  it('equal the two-pass per-pixel mean and sample std (K - 1)', () => {
    const { mean, std } = meanAndStd(samples);
    for (let i = 0; i < 12; i++) {
      const v = samples.map((s) => s.data[i]!);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
      expect(mean.data[i]).toBeCloseTo(m, 4);
      expect(std!.data[i]).toBeCloseTo(sd, 5);
    }
  });

  it('give no std for one sample and refuse none', () => {
    const stats = new SampleStatistics(3, 4);
    expect(() => stats.result()).toThrow(RangeError);
    stats.add(samples[0]!);
    const r = stats.result();
    expect(r.std).toBeUndefined();
    expect(Array.from(r.mean.data)).toEqual(Array.from(samples[0]!.data));
  });
});
