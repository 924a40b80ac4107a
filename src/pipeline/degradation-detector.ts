import type { Degradation, DegradationDetector } from './manifest';
import type { Plane } from './plane';
import { fft2Real } from './fft/fft2';

/**
 * The degradation detector of `auto` mode (training/detector.py): was this slice made by a lower
 * acquisition matrix (k-space truncation) or by resampling? The two put the HR grid in different
 * places (LR pixel i at HR pixel s i, or at s i + (s - 1) / 2), so one output cannot suit both; the
 * pipeline runs the told path the detector picks. Features: log power of the slice's axis spectra
 * in `bands` bands of frequency, relative to the reference bands; a logistic model per scale.
 */
export interface DetectorDecision {
  /** The degradation to run as (the detector's `fallback` for slices too small to judge), or undefined for other modalities and scales. */
  degradation: Degradation | undefined;
  /** P(k-space truncation), when judged. */
  probabilityKspace: number | undefined;
}

export function detectDegradation(detector: DegradationDetector, lr: Plane, scale: number, modality: string): DetectorDecision {
  const params = detector.scales[String(scale)];
  if (!params || !detector.modalities.includes(modality.toUpperCase())) return { degradation: undefined, probabilityKspace: undefined };
  // too few frequencies to judge: the cheaper mistake (training/detector.py FALLBACK)
  if (Math.min(lr.height, lr.width) < detector.min_side) return { degradation: detector.fallback, probabilityKspace: undefined };
  const f = spectralFeatures(lr, detector.bands, detector.reference_bands);
  let z = params.bias;
  for (let i = 0; i < f.length; i++) z += ((f[i]! - params.mean[i]!) / params.std[i]!) * params.weights[i]!;
  const p = 1 / (1 + Math.exp(-z));
  return { degradation: p >= detector.threshold ? 'kspace' : 'bicubic', probabilityKspace: p };
}

/** Log band powers of the mean-removed slice's axis spectra (mean over the other axis), relative to the reference bands. */
export function spectralFeatures(lr: Plane, bands: number, reference: readonly [number, number]): Float64Array {
  const { height: h, width: w } = lr;
  let mean = 0;
  for (const v of lr.data) mean += v;
  mean /= lr.data.length;
  const spec = fft2Real(Float32Array.from(lr.data, (v) => v - mean), h, w);
  const alongX = new Float64Array(w);
  const alongY = new Float64Array(h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const power = spec.re[i]! ** 2 + spec.im[i]! ** 2;
      alongX[x] = alongX[x]! + power / h;
      alongY[y] = alongY[y]! + power / w;
    }
  }
  const out = new Float64Array(bands);
  for (const profile of [alongX, alongY]) {
    const n = profile.length;
    const sum = new Float64Array(bands);
    const count = new Float64Array(bands);
    for (let k = 0; k < n; k++) {
      const b = Math.min(Math.floor(((2 * Math.min(k, n - k)) / n) * bands), bands - 1);
      sum[b] = sum[b]! + profile[k]!;
      count[b] = count[b]! + 1;
    }
    for (let b = 0; b < bands; b++) out[b] = out[b]! + Math.log(sum[b]! / count[b]! + 1e-30) / 2;
  }
  let ref = 0;
  for (let b = reference[0]; b < reference[1]; b++) ref += out[b]!;
  ref /= reference[1] - reference[0];
  return out.map((v) => v - ref);
}
