import { SeededRng } from '../../../src/shared/rng';
import { fftPlan } from '../../../src/pipeline/fft/fft';
import { fft2Real, ifft2Real } from '../../../src/pipeline/fft/fft2';

function naiveDft(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  const or = new Float64Array(n);
  const oi = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      or[k] = or[k]! + re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
      oi[k] = oi[k]! + re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
    }
  }
  return [or, oi];
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('fftPlan (radix-2 and Bluestein)', () => {
  it.each([1, 2, 3, 5, 7, 8, 9, 12, 15, 16, 17, 30, 64, 97])('matches the naive DFT and inverts, n = %d', (n) => {
    const rng = new SeededRng(n);
    const re = Float64Array.from({ length: n }, () => rng.nextGaussian());
    const im = Float64Array.from({ length: n }, () => rng.nextGaussian());
    const [wr, wi] = naiveDft(re, im, -1);
    const fr = new Float64Array(re);
    const fi = new Float64Array(im);
    fftPlan(n).forward(fr, fi);
    expect(maxDiff(fr, wr)).toBeLessThan(1e-9 * n);
    expect(maxDiff(fi, wi)).toBeLessThan(1e-9 * n);
    fftPlan(n).inverse(fr, fi);
    expect(maxDiff(fr, re)).toBeLessThan(1e-12 * n);
    expect(maxDiff(fi, im)).toBeLessThan(1e-12 * n);
  });
});

describe('2-D real transforms', () => {
  it.each([[1, 1], [4, 6], [5, 7], [6, 9], [9, 4], [16, 16], [3, 1], [8, 32], [32, 8]])('fft2Real equals the complex 2-D DFT and ifft2Real takes the real part of the inverse (%dx%d)', (h, w) => {
    const rng = new SeededRng(h * 100 + w);
    const x = Float32Array.from({ length: h * w }, () => rng.nextGaussian());
    const s = fft2Real(x, h, w);
    // naive 2-D DFT
    for (let ky = 0; ky < h; ky++) {
      for (let kx = 0; kx < w; kx++) {
        let r = 0;
        let i = 0;
        for (let y = 0; y < h; y++) {
          for (let xx = 0; xx < w; xx++) {
            const a = -2 * Math.PI * (((ky * y) % h) / h + ((kx * xx) % w) / w);
            r += x[y * w + xx]! * Math.cos(a);
            i += x[y * w + xx]! * Math.sin(a);
          }
        }
        expect(Math.abs(s.re[ky * w + kx]! - r)).toBeLessThan(1e-9);
        expect(Math.abs(s.im[ky * w + kx]! - i)).toBeLessThan(1e-9);
      }
    }
    expect(maxDiff(ifft2Real(s), x)).toBeLessThan(1e-6);
    // a non-Hermitian spectrum: the real part of its inverse
    const t = { re: new Float64Array(s.re), im: new Float64Array(s.im), height: h, width: w };
    t.im[0] = t.im[0]! + 3;
    t.re[(h > 1 ? 1 : 0) * w] = t.re[(h > 1 ? 1 : 0) * w]! + 2;
    const got = ifft2Real(t);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        let r = 0;
        for (let ky = 0; ky < h; ky++) {
          for (let kx = 0; kx < w; kx++) {
            const a = 2 * Math.PI * (((ky * y) % h) / h + ((kx * xx) % w) / w);
            r += t.re[ky * w + kx]! * Math.cos(a) - t.im[ky * w + kx]! * Math.sin(a);
          }
        }
        expect(Math.abs(got[y * w + xx]! - r / (h * w))).toBeLessThan(1e-6);
      }
    }
  });
});
