import type { Plane } from '../plane';
import { bin, centredFrequencies, fft2Real, ifft2Real } from '../fft/fft2';

/**
 * k-space data consistency: replace the central h x w block of the output's centred spectrum by
 * the LR spectrum scaled by (H W)/(h w). For even h (or w) the block holds the Nyquist frequency
 * -h/2 but not its mirror +h/2, so the mirror is written too (conjugate): the spectrum stays
 * Hermitian, the result is real, and degrading it again gives back the input exactly.
 * The recipe does the same (training/degrade.py); `mirrorNyquist: false` is its earlier literal
 * formula (real part of the inverse, mirror left as it was), exact only for odd sizes, kept to
 * check parity with references made by it (the test fixture's).
 */
export function kspaceConsistency(out: Plane, lr: Plane, options: { mirrorNyquist?: boolean } = {}): Plane {
  const mirrorNyquist = options.mirrorNyquist ?? true;
  const { height: H, width: W } = out;
  const { height: h, width: w } = lr;
  const spec = fft2Real(out.data, H, W);
  const low = fft2Real(lr.data, h, w);
  const k = (H * W) / (h * w);
  for (const fy of centredFrequencies(h)) {
    for (const fx of centredFrequencies(w)) {
      const src = bin(fy, h) * w + bin(fx, w);
      const re = low.re[src]! * k;
      const im = low.im[src]! * k;
      const dst = bin(fy, H) * W + bin(fx, W);
      spec.re[dst] = re;
      spec.im[dst] = im;
      const mirror = bin(-fy, H) * W + bin(-fx, W);
      if (mirrorNyquist && (!inBlock(-fy, h) || !inBlock(-fx, w))) {
        spec.re[mirror] = re;
        spec.im[mirror] = -im;
      }
    }
  }
  return { data: ifft2Real(spec), height: H, width: W };
}

function inBlock(f: number, n: number): boolean {
  const lo = -Math.floor(n / 2);
  return f >= lo && f < lo + n;
}
