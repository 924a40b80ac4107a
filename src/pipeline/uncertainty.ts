import { boxMean3, type Plane } from './plane';

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

/**
 * Per pixel: the root mean square over its 3 x 3 neighbourhood (edge pixels repeated) of the gradient magnitude
 * (central differences, one-sided at the border: numpy.gradient's). Super-resolution errors gather at edges, which
 * the K samples' spread marks only weakly (training/evaluate.py `gradient_rms`, the same arithmetic).
 */
export function gradientRms(p: Plane): Plane {
  const { height: h, width: w, data: x } = p;
  if (h < 2 || w < 2) return { data: new Float32Array(h * w), height: h, width: w }; // as the recipe: no gradient along a single line
  const g2 = new Float64Array(h * w);
  for (let y = 0; y < h; y++) {
    const up = Math.max(0, y - 1);
    const down = Math.min(h - 1, y + 1);
    for (let i = 0; i < w; i++) {
      const left = Math.max(0, i - 1);
      const right = Math.min(w - 1, i + 1);
      const gy = (x[down * w + i]! - x[up * w + i]!) / (down - up);
      const gx = (x[y * w + right]! - x[y * w + left]!) / (right - left);
      g2[y * w + i] = gy * gy + gx * gx;
    }
  }
  const out = Float32Array.from(boxMean3(g2, h, w), Math.sqrt);
  return { data: out, height: h, width: w };
}

/**
 * The calibrated uncertainty map: scale x sqrt(SD^2 + (gradientWeight x gradientRms(mean))^2), the model's conformal
 * `scale` fitted on validation so that its band holds the errors it promises (training/evaluate.py `uncertainty_sd`).
 */
export function uncertaintyMap(mean: Plane, std: Plane, gradientWeight: number, scale: number): Plane {
  const gradient = gradientWeight > 0 ? gradientRms(mean).data : undefined;
  const data = Float32Array.from(std.data, (sd, i) => {
    const g = gradient ? gradientWeight * gradient[i]! : 0;
    return scale * Math.sqrt(sd * sd + g * g);
  });
  return { data, height: std.height, width: std.width };
}
