import { bin, fft2Real, ifft2Real, type Spectrum } from './fft/fft2';
import type { BandLimitSpec } from './manifest';
import type { Plane } from './plane';

/**
 * Inputs a scanner already zero-filled (training/bandlimit.py). MR scanners reconstruct to larger matrices than they
 * acquire by zero-filling k-space; such a slice has nothing beyond the acquired band, and neither has a larger copy
 * of it. When the input still holds that band's edge, its own spectrum shows it as a cliff, and the output keeps
 * nothing beyond the input's band along that axis: detail added there would be detail the scan never had.
 * The header can say it where the spectrum cannot: an input smaller than its AcquisitionMatrix was reduced after
 * reconstruction, and any reconstruction of that acquisition on the output's grid holds nothing beyond the acquired
 * band (`acquiredBand`). An input at its acquired matrix is left alone: detail beyond an acquisition is what
 * super-resolution is for.
 */

/** Where the input's spectrum ends, per axis, as a fraction of its Nyquist frequency (absent: it does not end inside). */
export interface BandLimit {
  rows?: number;
  columns?: number;
}

type Axis = keyof BandLimit;
const AXES: readonly Axis[] = ['rows', 'columns'];

export function bandLimitApplies(spec: BandLimitSpec | undefined, modality: string): spec is BandLimitSpec {
  return spec !== undefined && spec.modalities.includes(modality.toUpperCase());
}

/** The axes of `lr` whose spectrum ends at a cliff inside the band (an empty object when none does). */
export function detectBandLimit(lr: Plane, spec: BandLimitSpec): BandLimit {
  const mean = lr.data.reduce((a, v) => a + v, 0) / lr.data.length;
  const spectrum = fft2Real(lr.data.map((v) => v - mean), lr.height, lr.width);
  const found: BandLimit = {};
  for (const axis of AXES) {
    if ((axis === 'rows' ? lr.height : lr.width) < spec.min_pixels) continue;
    const { drop, where } = largestCliff(powerProfile(spectrum, axis), spec);
    if (drop >= spec.drop_db) found[axis] = Math.round(where * 1e4) / 1e4;
  }
  return found;
}

/**
 * Mean power per |frequency| along `axis` (rows: the vertical frequencies), folded over +-f, in dB, from 0 up to
 * but without the Nyquist bin (which acquisitions keep, drop or mirror by their own rules).
 */
export function powerProfile(s: Spectrum, axis: Axis): Float64Array {
  const n = axis === 'rows' ? s.height : s.width;
  const across = axis === 'rows' ? s.width : s.height;
  const power = new Float64Array(n);
  for (let y = 0; y < s.height; y++) {
    for (let x = 0; x < s.width; x++) {
      const i = y * s.width + x;
      power[axis === 'rows' ? y : x]! += (s.re[i]! ** 2 + s.im[i]! ** 2) / across;
    }
  }
  const half = Math.floor(n / 2);
  const folded = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const p = k === 0 ? power[0]! : (power[k]! + power[n - k]!) / 2;
    folded[k] = 10 * Math.log10(p + 1e-30);
  }
  return folded;
}

/** The largest drop (dB) from the mean of the bins just inside a position to the bins beyond it (the larger of the
 * mean of the next bins and of all of them), and that position. */
export function largestCliff(profile: Float64Array, spec: BandLimitSpec): { drop: number; where: number } {
  const half = profile.length;
  const w = Math.max(2, Math.floor(half / 16));
  const last = half - Math.max(3, Math.round(spec.tail * half));
  let best = { drop: 0, where: 1 };
  for (let k = Math.max(w, Math.floor(spec.lowest * half)); k <= last; k++) {
    const inner = mean(profile, k - w, k);
    const drop = inner - Math.max(mean(profile, k + 1, half), mean(profile, k + 1, Math.min(half, k + 1 + w)));
    if (drop > best.drop) best = { drop, where: k / half };
  }
  return best;
}

/** The highest |frequency| (bins of the output's grid) an output keeps along each axis named. */
export type KeptBand = Partial<Record<Axis, number>>;

/**
 * The input's band along the limited axes: |f| <= floor((h - 1) / 2) for an h-pixel input, so without an even
 * input's Nyquist frequency (whose mirror pair the k-space projection leaves half unset, and where a band-limited
 * input holds nothing).
 */
export function inputBand(lr: Plane, limit: BandLimit): KeptBand {
  const kept: KeptBand = {};
  if (limit.rows !== undefined) kept.rows = Math.floor((lr.height - 1) / 2);
  if (limit.columns !== undefined) kept.columns = Math.floor((lr.width - 1) / 2);
  return kept;
}

/** The lines a scanner acquired along each axis of the image (from DICOM AcquisitionMatrix). */
export interface AcquiredMatrix {
  rows: number;
  columns: number;
}

/**
 * The acquired matrix's band along each axis where the input is smaller than it and the output larger: |f| <= floor(m / 2)
 * for m acquired lines, as a magnitude image of such an acquisition holds (training/bandlimit.py `acquired_band`).
 */
export function acquiredBand(lr: Plane, scale: number, acquired: AcquiredMatrix | undefined): KeptBand {
  const kept: KeptBand = {};
  if (!acquired) return kept;
  if (lr.height < acquired.rows && acquired.rows < lr.height * scale) kept.rows = Math.floor(acquired.rows / 2);
  if (lr.width < acquired.columns && acquired.columns < lr.width * scale) kept.columns = Math.floor(acquired.columns / 2);
  return kept;
}

/** Per axis, the tighter of two bands. */
export function tighterBand(a: KeptBand, b: KeptBand): KeptBand {
  const kept: KeptBand = {};
  for (const axis of AXES) {
    const limits = [a[axis], b[axis]].filter((v): v is number => v !== undefined);
    if (limits.length) kept[axis] = Math.min(...limits);
  }
  return kept;
}

/** `out` with nothing beyond |f| = kept[axis] along each axis named. */
export function keepBand(out: Plane, kept: KeptBand): Plane {
  if (kept.rows === undefined && kept.columns === undefined) return out;
  const spectrum = fft2Real(out.data, out.height, out.width);
  const keepY = keptFrequencies(out.height, kept.rows ?? Infinity);
  const keepX = keptFrequencies(out.width, kept.columns ?? Infinity);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      if (keepY[y] && keepX[x]) continue;
      spectrum.re[y * out.width + x] = 0;
      spectrum.im[y * out.width + x] = 0;
    }
  }
  return { data: ifft2Real(spectrum), height: out.height, width: out.width };
}

/** Whether each bin of an n-point unshifted spectrum has |f| <= highest. */
function keptFrequencies(n: number, highest: number): boolean[] {
  const keep = new Array<boolean>(n).fill(false);
  for (let f = -Math.floor(n / 2); f < n - Math.floor(n / 2); f++) keep[bin(f, n)] = Math.abs(f) <= highest;
  return keep;
}

function mean(a: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += a[i]!;
  return sum / (to - from);
}

