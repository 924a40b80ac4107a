import type { Plane } from '../plane';
import { bin, centredFrequencies, fft2Real, ifft2Real } from '../fft/fft2';

/**
 * MR k-space truncation (a lower acquisition matrix): keep the central (H/s x W/s) block of the
 * centred 2-D FFT, scaled by (h w)/(H W) so intensities are preserved; real part of the inverse.
 * The training recipe's `kspace_down` with full sampling and no noise.
 */
export function kspaceDown(p: Plane, s: number): Plane {
  const H = p.height;
  const W = p.width;
  const h = Math.floor(H / s);
  const w = Math.floor(W / s);
  const hi = fft2Real(p.data, H, W);
  const k = (h * w) / (H * W);
  const re = new Float64Array(h * w);
  const im = new Float64Array(h * w);
  for (const fy of centredFrequencies(h)) {
    for (const fx of centredFrequencies(w)) {
      const src = bin(fy, H) * W + bin(fx, W);
      const dst = bin(fy, h) * w + bin(fx, w);
      re[dst] = hi.re[src]! * k;
      im[dst] = hi.im[src]! * k;
    }
  }
  return { data: ifft2Real({ re, im, height: h, width: w }), height: h, width: w };
}
