import { fftPlan } from './fft';

/** A complex h x w image, row-major, float64. */
export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
  height: number;
  width: number;
}

/** In-place 2-D transform: every row, then every column. */
export function fft2InPlace(s: Spectrum, inverse: boolean): void {
  const { re, im, height: h, width: w } = s;
  const rowPlan = fftPlan(w);
  const colPlan = fftPlan(h);
  const rr = new Float64Array(w);
  const ri = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) { rr[x] = re[o + x]!; ri[x] = im[o + x]!; }
    if (inverse) rowPlan.inverse(rr, ri); else rowPlan.forward(rr, ri);
    for (let x = 0; x < w; x++) { re[o + x] = rr[x]!; im[o + x] = ri[x]!; }
  }
  const cr = new Float64Array(h);
  const ci = new Float64Array(h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) { cr[y] = re[y * w + x]!; ci[y] = im[y * w + x]!; }
    if (inverse) colPlan.inverse(cr, ci); else colPlan.forward(cr, ci);
    for (let y = 0; y < h; y++) { re[y * w + x] = cr[y]!; im[y * w + x] = ci[y]!; }
  }
}

export function fft2Real(data: Float32Array, height: number, width: number): Spectrum {
  const s: Spectrum = { re: Float64Array.from(data), im: new Float64Array(data.length), height, width };
  fft2InPlace(s, false);
  return s;
}

/** Real part of the inverse transform, as float32. */
export function ifft2Real(s: Spectrum): Float32Array {
  const copy: Spectrum = { re: new Float64Array(s.re), im: new Float64Array(s.im), height: s.height, width: s.width };
  fft2InPlace(copy, true);
  return Float32Array.from(copy.re);
}

/**
 * The signed frequencies of a length-n centred (fftshift-ed) block: [-floor(n/2), n - floor(n/2)).
 * The central n-block of a larger N-point spectrum holds exactly these frequencies, which is
 * what "keep the central h x w block of the centred FFT" means without moving any data.
 */
export function centredFrequencies(n: number): number[] {
  const lo = -Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) => lo + i);
}

/** Index of signed frequency f in an unshifted n-point spectrum. */
export function bin(f: number, n: number): number {
  return ((f % n) + n) % n;
}
