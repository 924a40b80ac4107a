import type { Plane } from './plane';

/**
 * Per-pixel mean and sample standard deviation (K - 1 in the denominator) over K samples made
 * with seeds seed..seed+K-1: the mean is the output, the std the uncertainty map. Samples are
 * folded in one at a time (Welford, float64), so memory does not grow with K.
 */
export class SampleStatistics {
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private count = 0;

  constructor(readonly height: number, readonly width: number) {
    this.mean = new Float64Array(height * width);
    this.m2 = new Float64Array(height * width);
  }

  add(sample: Plane): void {
    this.count++;
    const n = this.count;
    const { mean, m2 } = this;
    const x = sample.data;
    for (let i = 0; i < mean.length; i++) {
      const d = x[i]! - mean[i]!;
      mean[i] = mean[i]! + d / n;
      m2[i] = m2[i]! + d * (x[i]! - mean[i]!);
    }
  }

  result(): { mean: Plane; std: Plane | undefined } {
    if (this.count === 0) throw new RangeError('no samples');
    const { height, width } = this;
    const mean: Plane = { data: Float32Array.from(this.mean), height, width };
    if (this.count === 1) return { mean, std: undefined };
    const k = this.count;
    const std: Plane = { data: Float32Array.from(this.m2, (v) => Math.sqrt(Math.max(v, 0) / (k - 1))), height, width };
    return { mean, std };
  }
}

export function meanAndStd(samples: Plane[]): { mean: Plane; std: Plane | undefined } {
  const first = samples[0];
  if (!first) throw new RangeError('no samples');
  const stats = new SampleStatistics(first.height, first.width);
  for (const s of samples) stats.add(s);
  return stats.result();
}
