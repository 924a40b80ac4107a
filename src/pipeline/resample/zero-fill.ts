import type { Plane } from '../plane';
import { copyCentralBlock, fft2Real, ifft2Real, zeroSpectrum } from '../fft/fft2';

/**
 * Zero-filled Fourier interpolation (a baseline, and the natural one for k-space-truncated MR):
 * the LR spectrum, scaled by (H W)/(h w), placed in the centre of an H x W spectrum of zeros;
 * real part of the inverse. Matches the training recipe's `zero_filled`.
 */
export function zeroFillUpsample(p: Plane, s: number): Plane {
  const H = p.height * s;
  const W = p.width * s;
  const spectrum = zeroSpectrum(H, W);
  copyCentralBlock(fft2Real(p.data, p.height, p.width), spectrum, s * s);
  return { data: ifft2Real(spectrum), height: H, width: W };
}
