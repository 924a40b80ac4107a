import type { Plane } from '../plane';
import { bin, centredFrequencies, fft2Real, ifft2Real } from '../fft/fft2';

/**
 * Zero-filled Fourier interpolation (a baseline, and the natural one for k-space-truncated MR):
 * the LR spectrum, scaled by (H W)/(h w), placed in the centre of an H x W spectrum of zeros;
 * real part of the inverse. Matches the training recipe's `zero_filled`.
 */
export function zeroFillUpsample(p: Plane, s: number): Plane {
  const h = p.height;
  const w = p.width;
  const H = h * s;
  const W = w * s;
  const lo = fft2Real(p.data, h, w);
  const k = (H * W) / (h * w);
  const re = new Float64Array(H * W);
  const im = new Float64Array(H * W);
  for (const fy of centredFrequencies(h)) {
    for (const fx of centredFrequencies(w)) {
      const src = bin(fy, h) * w + bin(fx, w);
      const dst = bin(fy, H) * W + bin(fx, W);
      re[dst] = lo.re[src]! * k;
      im[dst] = lo.im[src]! * k;
    }
  }
  return { data: ifft2Real({ re, im, height: H, width: W }), height: H, width: W };
}
