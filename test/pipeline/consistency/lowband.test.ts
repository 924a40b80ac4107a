import { SeededRng } from '../../../src/shared/rng';
import { applyConsistency } from '../../../src/pipeline/consistency';
import { bandWeight, lowbandConsistency, lowbandResidual } from '../../../src/pipeline/consistency/lowband';
import { degrade } from '../../../src/pipeline/degrade';
import { fft2Real, bin } from '../../../src/pipeline/fft/fft2';
import { zeroFillUpsample } from '../../../src/pipeline/resample/zero-fill';
import type { Plane } from '../../../src/pipeline/plane';

const BAND = { kind: 'lowband' as const, pass: 0.2, stop: 0.4, grid: { default: 'centred' as const, MR: 'kspace' as const } };

function noise(h: number, w: number, seed: number, amplitude = 1): Plane {
  const rng = new SeededRng(seed);
  return { data: Float32Array.from({ length: h * w }, () => amplitude * rng.nextGaussian()), height: h, width: w };
}

function power(p: Plane, fy: number, fx: number): number {
  const s = fft2Real(p.data, p.height, p.width);
  const i = bin(fy, p.height) * p.width + bin(fx, p.width);
  return s.re[i]! ** 2 + s.im[i]! ** 2;
}

describe('the auto (low-band) projection', () => {
  const lr = noise(24, 20, 1);
  const out = noise(48, 40, 2);

  it('weights 1 up to pass, 0 from stop on, symmetric in frequency', () => {
    expect(bandWeight(0, 24, BAND)).toBe(1);
    expect(bandWeight(2, 24, BAND)).toBe(1);          // 2 / 12 = 0.17 of Nyquist
    expect(bandWeight(-5, 24, BAND)).toBe(0);          // 0.42
    expect(bandWeight(-12, 24, BAND)).toBe(0);         // Nyquist
    expect(bandWeight(3, 24, BAND)).toBeCloseTo(bandWeight(-3, 24, BAND), 12);
    expect(bandWeight(3, 24, BAND)).toBeGreaterThan(0);
    expect(bandWeight(3, 24, BAND)).toBeLessThan(1);
  });

  it('makes the full-weight band equal to the input and leaves frequencies from stop on untouched', () => {
    const projected = lowbandConsistency(out, lr, BAND, 'kspace');
    const target = zeroFillUpsample(lr, 2);          // the LR spectrum, scaled, at the HR grid
    const close = (a: number, b: number) => expect(Math.abs(a - b) / Math.max(b, 1e-9)).toBeLessThan(1e-6);
    close(power(projected, 1, 2), power(target, 1, 2));
    close(power(projected, 0, 1), power(target, 0, 1));
    close(power(projected, 6, 0), power(out, 6, 0));      // 6 / 12 = 0.5 of the LR Nyquist
    close(power(projected, 20, 15), power(out, 20, 15));
    expect(Math.abs(power(projected, 6, 0) - power(target, 6, 0))).toBeGreaterThan(1);
    expect(projected.data.every(Number.isFinite)).toBe(true);
  });

  it('is idempotent in the full band, shrinks the residual, and is what applyConsistency runs for auto', () => {
    const before = lowbandResidual(out, lr, BAND, 'kspace');
    const once = lowbandConsistency(out, lr, BAND, 'kspace');
    const after = lowbandResidual(once, lr, BAND, 'kspace');
    expect(after).toBeLessThan(before / 2);
    expect(applyConsistency(out, lr, 2, 'auto', { blurSigma: 0, auto: BAND, modality: 'MR' }).image.data).toEqual(once.data);
    expect(() => applyConsistency(out, lr, 2, 'auto', { blurSigma: 0 })).toThrow(/no 'auto' projection/);
  });

  it.each([['kspace', 'kspace', 2], ['kspace', 'kspace', 4], ['bicubic', 'centred', 2], ['bicubic', 'centred', 4], ['area', 'centred', 2]] as const)(
    'barely moves the true image of a %s input on the %s grid (x%d): the band is safe', (kind, grid, s) => {
    const hr = noise(64, 64, 3, 0.1);
    for (let y = 16; y < 48; y++) for (let x = 12; x < 52; x++) hr.data[y * 64 + x] = hr.data[y * 64 + x]! + 1;   // an edge to resample
    {
      const low = degrade(hr, s, kind, { blurSigma: 0.5 });
      const projected = lowbandConsistency(hr, low, BAND, grid);
      let d = 0;
      let n = 0;
      for (let i = 0; i < hr.data.length; i++) { d += (projected.data[i]! - hr.data[i]!) ** 2; n += hr.data[i]! ** 2; }
      expect(Math.sqrt(d / n)).toBeLessThan(0.01);
    }
    // the wrong grid is not safe: a resampled input projected as if truncated moves the image by ~6%
    if (grid === 'centred' && s === 2 && kind === 'bicubic') {
      const wrong = lowbandConsistency(hr, degrade(hr, s, 'bicubic'), BAND, 'kspace');
      let d = 0;
      let n = 0;
      for (let i = 0; i < hr.data.length; i++) { d += (wrong.data[i]! - hr.data[i]!) ** 2; n += hr.data[i]! ** 2; }
      expect(Math.sqrt(d / n)).toBeGreaterThan(0.03);
    }
  });
});
