import type { Plane } from '../plane';
import { copyCentralBlock, fft2Real, ifft2Real, zeroSpectrum } from '../fft/fft2';

/**
 * MR k-space truncation (a lower acquisition matrix): keep the central (H/s x W/s) block of the
 * centred 2-D FFT, scaled by (h w)/(H W) so intensities are preserved; real part of the inverse.
 * The training recipe's `kspace_down` with full sampling and no noise.
 */
export function kspaceDown(p: Plane, s: number): Plane {
  const h = Math.floor(p.height / s);
  const w = Math.floor(p.width / s);
  const spectrum = zeroSpectrum(h, w);
  copyCentralBlock(fft2Real(p.data, p.height, p.width), spectrum, (h * w) / (p.height * p.width));
  return { data: ifft2Real(spectrum), height: h, width: w };
}
