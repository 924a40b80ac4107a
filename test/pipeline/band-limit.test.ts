/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import fs from 'node:fs';
import path from 'node:path';
import { acquiredBand, bandLimitApplies, detectBandLimit, inputBand, keepBand, largestCliff, powerProfile, tighterBand, type BandLimit } from '../../src/pipeline/band-limit';
import { fft2Real, ifft2Real } from '../../src/pipeline/fft/fft2';
import { loadManifest, type BandLimitSpec } from '../../src/pipeline/manifest';
import { disposeModel, loadModel } from '../../src/pipeline/model';
import type { Plane } from '../../src/pipeline/plane';
import { zeroFillUpsample } from '../../src/pipeline/resample/zero-fill';
import { runUpscale } from '../../src/pipeline/upscale';
import { imageTensor } from '../../src/shared/tensor';
import { SeededRng } from '../../src/shared/rng';
import { parityModelDirs, variantModelDir } from './helpers/model-dirs';
import { TINY_MODEL_DIR } from './helpers/reference';

const SPEC: BandLimitSpec = { modalities: ['MR'], route: 'kspace', drop_db: 8, min_pixels: 48, lowest: 0.4, tail: 0.06 };

/** A positive noise image with nothing beyond `band` of Nyquist on each axis (a scan zero-filled there; 1: the full band). */
function bandNoise(h: number, w: number, band: { rows: number; columns: number }, seed = 1): Plane {
  const spectrum = fft2Real(new SeededRng(seed).fillGaussian(new Float32Array(h * w)), h, w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (Math.min(y, h - y) < band.rows * (h / 2) && Math.min(x, w - x) < band.columns * (w / 2)) continue;
      spectrum.re[y * w + x] = 0;
      spectrum.im[y * w + x] = 0;
    }
  }
  return { data: ifft2Real(spectrum).map((v) => 200 + 20 * v), height: h, width: w };
}

/** Largest |F| of `p` at |fy| > rows or |fx| > columns (signed frequencies of the unshifted spectrum). */
function beyond(p: Plane, rows: number, columns: number): number {
  const s = fft2Real(p.data, p.height, p.width);
  let worst = 0;
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      const fy = Math.min(y, p.height - y);
      const fx = Math.min(x, p.width - x);
      if (fy > rows || fx > columns) worst = Math.max(worst, Math.hypot(s.re[y * p.width + x]!, s.im[y * p.width + x]!));
    }
  }
  return worst;
}

describe('band limit (training/bandlimit.py)', () => {
  it('finds where a zero-filled input ends on each axis, and nothing on a full-band one', () => {
    expect(detectBandLimit(bandNoise(96, 128, { rows: 0.7, columns: 0.55 }), SPEC)).toEqual({ rows: expect.closeTo(0.7, 1), columns: expect.closeTo(0.55, 1) });
    expect(detectBandLimit(bandNoise(96, 128, { rows: 1, columns: 0.55 }), SPEC)).toEqual({ columns: expect.closeTo(0.55, 1) });
    expect(detectBandLimit(bandNoise(96, 128, { rows: 1, columns: 1 }), SPEC)).toEqual({});
  });

  it('does not read axes shorter than min_pixels', () => {
    expect(detectBandLimit(bandNoise(40, 128, { rows: 0.6, columns: 0.6 }), SPEC)).toEqual({ columns: expect.closeTo(0.6, 1) });
  });

  it('measures the drop from the bins just inside a cliff to those beyond it', () => {
    // 4-bin windows (64 / 16): at bin 39, the last before the step, the bins 35-38 against 40-63
    const profile = Float64Array.from({ length: 64 }, (_, k) => (k < 40 ? 30 - k / 10 : 12));
    const { drop, where } = largestCliff(profile, SPEC);
    expect(where).toBeCloseTo(39 / 64, 9);
    expect(drop).toBeCloseTo(30 - 3.65 - 12, 9);
  });

  it('keeps nothing beyond the input band along a limited axis and leaves the rest of the spectrum as it was', () => {
    const lr = bandNoise(64, 64, { rows: 0.6, columns: 1 });
    const out = bandNoise(128, 128, { rows: 1, columns: 1 }, 3);
    const limited = keepBand(out, inputBand(lr, { rows: 0.6 }));
    expect(beyond(limited, 32, Infinity)).toBeLessThan(1e-6 * beyond(out, 32, Infinity));
    const change = { data: limited.data.map((v, i) => v - out.data[i]!), height: 128, width: 128 };
    const kept = keepBand(change, inputBand(lr, { rows: 0.6 }));    // the change lies beyond the band: limiting it leaves nothing
    expect(kept.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0)).toBeLessThan(1e-3);
    expect(keepBand(out, inputBand(lr, {}))).toBe(out);
  });

  it('keeps an input smaller than its acquired matrix to that band on an output grid larger than it', () => {
    const lr = bandNoise(32, 48, { rows: 1, columns: 1 });
    expect(acquiredBand(lr, 4, { rows: 64, columns: 64 })).toEqual({ rows: 32, columns: 32 });
    expect(acquiredBand(lr, 4, { rows: 40, columns: 40 })).toEqual({ rows: 20 });   // the columns' input (48) is not smaller than 40
    expect(acquiredBand(lr, 2, { rows: 64, columns: 64 })).toEqual({ columns: 32 }); // the rows' output (64) is not larger than 64
    expect(acquiredBand(lr, 4, undefined)).toEqual({});
    expect(acquiredBand(lr, 2, { rows: 32, columns: 48 })).toEqual({});            // an input at its acquired matrix is left alone
    expect(tighterBand({ rows: 15 }, { rows: 32, columns: 32 })).toEqual({ rows: 15, columns: 32 });
    const out = bandNoise(128, 192, { rows: 1, columns: 1 }, 3);
    const kept = keepBand(out, { rows: 32, columns: 32 });
    expect(beyond(kept, 32, 32)).toBeLessThan(1e-6 * beyond(out, 32, 32));
  });

  it('applies to the modalities the model names', () => {
    expect(bandLimitApplies(SPEC, 'mr')).toBe(true);
    expect(bandLimitApplies(SPEC, 'CT')).toBe(false);
    expect(bandLimitApplies(undefined, 'MR')).toBe(false);
  });
});

interface BandLimitCase {
  zero_filled_from: number | null;
  degradation: string;
  /** absent in references exported before the acquired matrix (model 2.4.1): x2, none */
  scale?: number;
  acquired_matrix?: [number, number] | null;
  lr: { shape: number[]; file: string };
  upsampled: { shape: number[]; file: string };
  limited: { shape: number[]; file: string };
  cliffs: Record<'rows' | 'columns', [number, number]>;
  limit: BandLimit;
}

const withCases = parityModelDirs().filter((d) => fs.existsSync(path.join(d, 'reference', 'band_limit.json')));
const maybe = withCases.length ? it : it.skip;

function readPlane(dir: string, t: { shape: number[]; file: string }): Plane {
  const buf = fs.readFileSync(path.join(dir, 'reference', t.file));
  return { data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), height: t.shape[2]!, width: t.shape[3]! };
}

describe.each(withCases.length ? withCases : ['(no model with band-limit references)'])('band limit parity with the recipe on %s', (dir) => {
  maybe('finds the same cliffs and limits the same way as training/bandlimit.py', async () => {
    const spec = (await loadManifest(dir)).band_limit!;
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'band_limit.json'), 'utf8')) as { cases: BandLimitCase[]; tolerance: { drop_db: number; relative: number } };
    expect(ref.cases.some((c) => Object.keys(c.limit).length > 0)).toBe(true);
    expect(ref.cases.some((c) => Object.keys(c.limit).length === 0)).toBe(true);
    for (const c of ref.cases) {
      const lr = readPlane(dir, c.lr);
      const mean = lr.data.reduce((a, v) => a + v, 0) / lr.data.length;
      const spectrum = fft2Real(lr.data.map((v) => v - mean), lr.height, lr.width);
      for (const axis of ['rows', 'columns'] as const) {
        const { drop, where } = largestCliff(powerProfile(spectrum, axis), spec);
        expect(Math.abs(drop - c.cliffs[axis][0])).toBeLessThan(ref.tolerance.drop_db);
        expect(where).toBeCloseTo(c.cliffs[axis][1], 9);
      }
      const limit = detectBandLimit(lr, spec);
      expect(limit).toEqual(c.limit);
      const up = readPlane(dir, c.upsampled);
      const kept = tighterBand(inputBand(lr, limit), acquiredBand(lr, up.width / lr.width, c.acquired_matrix ? { rows: c.acquired_matrix[0], columns: c.acquired_matrix[1] } : undefined));
      const limited = keepBand(up, kept);
      const want = readPlane(dir, c.limited);
      const peak = want.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      let worst = 0;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(limited.data[i]! - want.data[i]!));
      expect(worst).toBeLessThan(ref.tolerance.relative * peak);
    }
  });
});

describe('the pipeline on a zero-filled MR input', () => {
  it('returns zero-filled Fourier interpolation on the k-space path when both axes end inside the band, and says so', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (j) => {
      j.band_limit = SPEC;
    });
    const model = await loadModel(dir, { device: 'cpu', intraOpThreads: 1 });
    try {
      const lr = bandNoise(48, 56, { rows: 0.6, columns: 0.7 });
      const r = await runUpscale(model, imageTensor(48, 56, lr.data), { scale: 2, modality: 'MR', prompt: 'mr head', degradation: 'kspace', steps: 2 });
      expect(r.settings.bandLimit).toEqual({ rows: expect.closeTo(0.6, 1), columns: expect.closeTo(0.7, 1) });
      const zf = zeroFillUpsample(lr, 2);
      const peak = zf.data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      let worst = 0;
      for (let i = 0; i < zf.data.length; i++) worst = Math.max(worst, Math.abs(r.mean.data[i]! - zf.data[i]!));
      expect(worst).toBeLessThan(1e-3 * peak);
      const ct = await runUpscale(model, imageTensor(48, 56, lr.data), { scale: 2, modality: 'CT', prompt: 'ct head', degradation: 'kspace', steps: 2 });
      expect(ct.settings.bandLimit).toBeUndefined();
    } finally {
      await disposeModel(model);
    }
  });
});
