import type { Plane } from '../plane';
import { copyCentralBlock, fft2Real, ifft2Real, zeroSpectrum, type Spectrum } from '../fft/fft2';

/**
 * MR k-space truncation (a lower acquisition matrix): keep the central (H/s x W/s) block of the
 * centred 2-D FFT, scaled by (h w)/(H W) so intensities are preserved; real part of the inverse.
 * The training recipe's `kspace_down` with full sampling and no noise.
 */
export function kspaceDown(p: Plane, s: number): Plane {
  return lowerMatrixOf(fft2Real(p.data, p.height, p.width), Math.floor(p.height / s), Math.floor(p.width / s));
}

/** kspaceDown of the image whose spectrum (fft2Real) is given, to h x w: for callers that hold the spectrum already. */
export function lowerMatrixOf(spectrum: Spectrum, h: number, w: number): Plane {
  const block = zeroSpectrum(h, w);
  copyCentralBlock(spectrum, block, (h * w) / (spectrum.height * spectrum.width));
  return { data: ifft2Real(block), height: h, width: w };
}
