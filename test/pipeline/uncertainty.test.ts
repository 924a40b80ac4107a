import { SeededRng } from '../../src/shared/rng';
import { gradientRms, meanAndStd, SampleStatistics, uncertaintyMap } from '../../src/pipeline/uncertainty';
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

describe('the uncertainty map', () => {
  const plane = (h: number, w: number, f: (y: number, x: number) => number): Plane =>
    ({ data: Float32Array.from({ length: h * w }, (_, i) => f(Math.floor(i / w), i % w)), height: h, width: w });

  it('a ramp has its slope at every pixel, borders included, and a flat slice none', () => {
    for (const v of gradientRms(plane(6, 7, (y, x) => 0.3 * x - 0.4 * y)).data) expect(v).toBeCloseTo(0.5, 6);
    expect(Math.max(...gradientRms(plane(5, 5, () => 2)).data)).toBe(0);
    expect(Math.max(...gradientRms(plane(1, 5, (_, x) => x)).data)).toBe(0); // no gradient along a single row
  });

  it('is the recipe\'s gradient_rms (training/evaluate.py, numpy.gradient and a 3 x 3 mean with edges repeated)', () => {
    // training/test_evaluate.py checks the recipe's function against numpy; these are its values for this slice
    const g = gradientRms(plane(4, 5, (y, x) => ((y * 7 + x * 3) % 5) + 0.5 * y));
    const recipe = [[3.244654, 2.733537, 2.101587, 2.494438, 2.833333], [2.905933, 2.438123, 1.855921, 2.034426, 2.438123],
      [2.905933, 2.522124, 1.964971, 2.260777, 2.65623], [3.201562, 2.953341, 2.522124, 2.758824, 3.02306]].flat();
    recipe.forEach((v, i) => expect(g.data[i]).toBeCloseTo(v, 5));
  });

  it('adds the weighted gradient to the SD in quadrature, then scales; weight 0 leaves the SD scaled', () => {
    const mean = plane(4, 4, (_, x) => (x >= 2 ? 1 : 0));
    const sd = plane(4, 4, () => 0.03);
    const g = gradientRms(mean).data;
    const m = uncertaintyMap(mean, sd, 0.1, 50);
    m.data.forEach((v, i) => expect(v).toBeCloseTo(50 * Math.hypot(0.03, 0.1 * g[i]!), 5));
    expect(Math.max(...g)).toBeGreaterThan(0);
    for (const v of uncertaintyMap(mean, sd, 0, 50).data) expect(v).toBeCloseTo(1.5, 6);
  });
});
