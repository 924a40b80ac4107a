import { fftPlan } from './fft';

/** A complex h x w image, row-major, float64. */
export interface Spectrum {
  re: Float64Array;
  im: Float64Array;
  height: number;
  width: number;
}

/** Transforms columns 0..lastColumn of an h x w complex image in place (the 1-D FFT down each). */
function transformColumns(re: Float64Array, im: Float64Array, h: number, w: number,
  lastColumn: number, inverse: boolean): void {
  const plan = fftPlan(h);
  if (plan.columns) {
    plan.columns(re, im, w, lastColumn, inverse);
    return;
  }
  const cr = new Float64Array(h);
  const ci = new Float64Array(h);
  for (let x = 0; x <= lastColumn; x++) {
    for (let y = 0; y < h; y++) { cr[y] = re[y * w + x]!; ci[y] = im[y * w + x]!; }
    if (inverse) plan.inverse(cr, ci); else plan.forward(cr, ci);
    for (let y = 0; y < h; y++) { re[y * w + x] = cr[y]!; im[y * w + x] = ci[y]!; }
  }
}

/** In-place 2-D transform: every row, then every column. */
export function fft2InPlace(s: Spectrum, inverse: boolean): void {
  const { re, im, height: h, width: w } = s;
  const rowPlan = fftPlan(w);
  const rr = new Float64Array(w);
  const ri = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    const o = y * w;
    for (let x = 0; x < w; x++) { rr[x] = re[o + x]!; ri[x] = im[o + x]!; }
    if (inverse) rowPlan.inverse(rr, ri); else rowPlan.forward(rr, ri);
    for (let x = 0; x < w; x++) { re[o + x] = rr[x]!; im[o + x] = ri[x]!; }
  }
  transformColumns(re, im, h, w, w - 1, inverse);
}

/**
 * Forward 2-D FFT of a real image, about twice as fast as the complex one: two real rows go
 * through one complex FFT (z = a + i b, then A = (Z_k + conj Z_-k)/2, B = (Z_k - conj Z_-k)/2i),
 * and only columns 0..w/2 are transformed; the others follow from X[-ky, -kx] = conj X[ky, kx].
 */
export function fft2Real(data: Float32Array, height: number, width: number): Spectrum {
  const h = height;
  const w = width;
  const re = new Float64Array(h * w);
  const im = new Float64Array(h * w);
  const rowPlan = fftPlan(w);
  const zr = new Float64Array(w);
  const zi = new Float64Array(w);
  for (let y = 0; y < h; y += 2) {
    const a = y * w;
    const pair = y + 1 < h;
    const b = a + w;
    for (let x = 0; x < w; x++) {
      zr[x] = data[a + x]!;
      zi[x] = pair ? data[b + x]! : 0;
    }
    rowPlan.forward(zr, zi);
    for (let k = 0; k < w; k++) {
      const m = k === 0 ? 0 : w - k;
      const pr = zr[k]!;
      const pi = zi[k]!;
      const qr = zr[m]!;
      const qi = zi[m]!;
      re[a + k] = (pr + qr) / 2;
      im[a + k] = (pi - qi) / 2;
      if (pair) {
        re[b + k] = (pi + qi) / 2;
        im[b + k] = -(pr - qr) / 2;
      }
    }
  }
  const half = Math.floor(w / 2);
  transformColumns(re, im, h, w, half, false);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const mirrorRow = ((h - y) % h) * w;
    for (let x = half + 1; x < w; x++) {
      re[row + x] = re[mirrorRow + w - x]!;
      im[row + x] = -im[mirrorRow + w - x]!;
    }
  }
  return { re, im, height: h, width: w };
}

/**
 * Real part of the inverse 2-D transform, as float32. The spectrum is first made Hermitian
 * ((X + conj X[-k]) / 2, which leaves the real part of the inverse unchanged), so only columns
 * 0..w/2 need inverting and two rows share one complex inverse FFT.
 */
export function ifft2Real(s: Spectrum): Float32Array {
  const { height: h, width: w } = s;
  const re = new Float64Array(h * w);
  const im = new Float64Array(h * w);
  const half = Math.floor(w / 2);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const mirrorRow = ((h - y) % h) * w;
    for (let x = 0; x <= half; x++) {
      const i = row + x;
      const j = mirrorRow + (x === 0 ? 0 : w - x);
      re[i] = (s.re[i]! + s.re[j]!) / 2;
      im[i] = (s.im[i]! - s.im[j]!) / 2;
    }
  }
  transformColumns(re, im, h, w, half, true);
  // each row's spectrum is now Hermitian (its inverse is real): fill the mirrored half
  for (let y = 0; y < h; y++) {
    for (let x = half + 1; x < w; x++) {
      re[y * w + x] = re[y * w + (w - x)]!;
      im[y * w + x] = -im[y * w + (w - x)]!;
    }
  }
  const out = new Float32Array(h * w);
  const rowPlan = fftPlan(w);
  const zr = new Float64Array(w);
  const zi = new Float64Array(w);
  for (let y = 0; y < h; y += 2) {
    const a = y * w;
    const pair = y + 1 < h;
    const b = a + w;
    // ifft(Ya + i Yb) = ya + i yb when ya and yb are real
    for (let x = 0; x < w; x++) {
      zr[x] = re[a + x]! - (pair ? im[b + x]! : 0);
      zi[x] = im[a + x]! + (pair ? re[b + x]! : 0);
    }
    rowPlan.inverse(zr, zi);
    for (let x = 0; x < w; x++) {
      out[a + x] = zr[x]!;
      if (pair) out[b + x] = zi[x]!;
    }
  }
  return out;
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

/**
 * Copies the central block of `from` into `to` (both unshifted spectra), frequency for
 * frequency, scaled by `factor`: the block is the smaller grid's centred frequencies, so this
 * crops (a lower acquisition matrix) or zero-pads (zero-filled interpolation) alike.
 */
export function copyCentralBlock(from: Spectrum, to: Spectrum, factor: number): void {
  const rows = binPairs(Math.min(from.height, to.height), from.height, to.height);
  const columns = binPairs(Math.min(from.width, to.width), from.width, to.width);
  for (let r = 0; r < rows.length; r += 2) {
    const src = rows[r]! * from.width;
    const dst = rows[r + 1]! * to.width;
    for (let c = 0; c < columns.length; c += 2) {
      to.re[dst + columns[c + 1]!] = from.re[src + columns[c]!]! * factor;
      to.im[dst + columns[c + 1]!] = from.im[src + columns[c]!]! * factor;
    }
  }
}

/** For each centred frequency of an n-block: its bin in an a-point and in a b-point spectrum, interleaved. */
function binPairs(n: number, a: number, b: number): Int32Array {
  const pairs = new Int32Array(2 * n);
  centredFrequencies(n).forEach((f, i) => { pairs[2 * i] = bin(f, a); pairs[2 * i + 1] = bin(f, b); });
  return pairs;
}

/** An all-zero h x w spectrum. */
export function zeroSpectrum(height: number, width: number): Spectrum {
  return { re: new Float64Array(height * width), im: new Float64Array(height * width), height, width };
}
