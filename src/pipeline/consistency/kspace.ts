import type { Plane } from '../plane';
import { bin, copyCentralBlock, fft2Real, ifft2Real } from '../fft/fft2';

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
  copyCentralBlock(fft2Real(lr.data, h, w), spec, (H * W) / (h * w), (fy, fx, re, im) => {
    // mirrors outside the block only: they never overwrite a measured bin
    if (!mirrorNyquist || (inBlock(-fy, h) && inBlock(-fx, w))) return;
    const mirror = bin(-fy, H) * W + bin(-fx, W);
    spec.re[mirror] = re;
    spec.im[mirror] = -im;
  });
  return { data: ifft2Real(spec), height: H, width: W };
}

function inBlock(f: number, n: number): boolean {
  const lo = -Math.floor(n / 2);
  return f >= lo && f < lo + n;
}
