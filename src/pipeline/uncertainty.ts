import type { Plane } from './plane';

/**
 * Per-pixel mean and sample standard deviation (K - 1 in the denominator) over K samples made
 * with seeds seed..seed+K-1: the mean is the output, the std the uncertainty map.
 */
export function meanAndStd(samples: Plane[]): { mean: Plane; std: Plane | undefined } {
  const first = samples[0];
  if (!first) throw new RangeError('no samples');
  const n = first.data.length;
  const k = samples.length;
  const mean = new Float32Array(n);
  const std = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (const p of samples) s += p.data[i]!;
    const m = s / k;
    let v = 0;
    for (const p of samples) v += (p.data[i]! - m) ** 2;
    mean[i] = m;
    std[i] = k > 1 ? Math.sqrt(v / (k - 1)) : 0;
  }
  return {
    mean: { data: mean, height: first.height, width: first.width },
    std: k > 1 ? { data: std, height: first.height, width: first.width } : undefined,
  };
}
