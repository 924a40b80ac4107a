/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { MedsrError } from '../../src/shared/errors';
import { imageTensor } from '../../src/shared/tensor';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { runUpscale } from '../../src/pipeline/upscale';
import { degrade } from '../../src/pipeline/degrade';
import { planeOf } from '../../src/pipeline/plane';
import { relativeError } from '../../src/pipeline/plane';
import { TINY_MODEL_DIR } from './helpers/reference';
import { phantomTensor, sameBits } from './helpers/images';
import { variantModelDir } from './helpers/model-dirs';
import { gradientRms } from '../../src/pipeline/uncertainty';

const base = { scale: 2 as const, modality: 'MR', prompt: 'mr head t1 axial' };
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(TINY_MODEL_DIR, { device: 'cpu', intraOpThreads: 1 });
});
afterAll(async () => {
  if (model) await disposeModel(model);
});

describe('runUpscale on the tiny model', () => {
  const lr = phantomTensor(40, 48);

  it('returns [1, 1, h s, w s] and no std for one sample; times every stage', async () => {
    const r = await runUpscale(model, lr, { ...base, steps: 2 });
    expect(r.mean.shape).toEqual([1, 1, 80, 96]);
    expect(r.std).toBeUndefined();
    for (const stage of ['text_encoder', 'vae_encoder', 'unet', 'vae_decoder', 'consistency', 'total']) expect(r.timings[stage]).toBeGreaterThan(0);
    expect(r.timings.unet_calls).toBe(2);
  });

  it.each(['kspace', 'area', 'bicubic'] as const)('makes the output consistent with the input under %s (residual <= 1e-3, reported)', async (degradation) => {
    const r = await runUpscale(model, lr, { ...base, degradation, steps: 2 });
    expect(r.dcResidual).toBeLessThan(1e-3);
    const again = relativeError(degrade(planeOf(r.mean), 2, degradation, { blurSigma: model.manifest.degradations.ct?.blur_sigma_px ?? 0 }).data, lr.data);
    expect(again).toBeCloseTo(r.dcResidual, 6);
  });

  it('reproduces the same bits for the same input, seed and settings, and differs for another seed', async () => {
    const opts = { ...base, seed: 11, samples: 2, steps: 3, guidance: 2, scheduler: 'ddpm' };
    const a = await runUpscale(model, lr, opts);
    const b = await runUpscale(model, lr, opts);
    expect(sameBits(a.mean.data, b.mean.data)).toBe(true);
    expect(sameBits(a.std!.data, b.std!.data)).toBe(true);
    const c = await runUpscale(model, lr, { ...opts, seed: 12 });
    expect(sameBits(a.mean.data, c.mean.data)).toBe(false);
  });

  it('K samples are the runs with seeds seed..seed+K-1: mean and per-pixel std of those', async () => {
    const opts = { ...base, steps: 2, degradation: 'bicubic' as const };
    const k = await runUpscale(model, lr, { ...opts, seed: 5, samples: 3 });
    const singles = await Promise.all([5, 6, 7].map((seed) => runUpscale(model, lr, { ...opts, seed })));
    const n = k.mean.data.length;
    let worstMean = 0;
    let worstStd = 0;
    for (let i = 0; i < n; i++) {
      const v = singles.map((s) => s.mean.data[i]!);
      const m = (v[0]! + v[1]! + v[2]!) / 3;
      const sd = Math.sqrt(v.reduce((acc, x) => acc + (x - m) ** 2, 0) / 2);
      worstMean = Math.max(worstMean, Math.abs(k.mean.data[i]! - m));
      worstStd = Math.max(worstStd, Math.abs(k.std!.data[i]! - sd));
    }
    expect(worstMean).toBeLessThan(1e-5);
    expect(worstStd).toBeLessThan(1e-5);
    expect(Math.max(...k.std!.data)).toBeGreaterThan(0);
  });

  it('the uncertainty map adds the mean\'s local gradient by the manifest\'s weight, then its conformal scale', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (j) => {
      j.uncertainty = { band_sd: 2, coverage_target: 0.95, gradient_weight: 0.1, sd_scale: { MR: { '2': 3 } } };
    });
    const calibrated = await loadModel(dir, { device: 'cpu', intraOpThreads: 1 });
    try {
      const opts = { ...base, steps: 2, samples: 2, seed: 4 };
      const plain = await runUpscale(model, lr, opts);
      const mapped = await runUpscale(calibrated, lr, opts);
      expect(sameBits(plain.mean.data, mapped.mean.data)).toBe(true);
      expect(mapped.settings.uncertaintyScale).toBe(3);
      const g = gradientRms(planeOf(plain.mean)).data;
      let worst = 0;
      plain.std!.data.forEach((sd, i) => { worst = Math.max(worst, Math.abs(mapped.std!.data[i]! - 3 * Math.hypot(sd, 0.1 * g[i]!))); });
      expect(worst).toBeLessThan(1e-5);
      expect(Math.max(...g)).toBeGreaterThan(0);
    } finally {
      await disposeModel(calibrated);
    }
  });

  it('runs every scheduler', async () => {
    for (const scheduler of ['ddim', 'DDPM', 'dpmsolver++', 'dpm-solver++']) {
      const r = await runUpscale(model, lr, { ...base, steps: 3, scheduler });
      expect(r.mean.data.every(Number.isFinite)).toBe(true);
    }
  });

  it('reports progress from 0 to 1, never going back', async () => {
    const seen: number[] = [];
    await runUpscale(model, lr, { ...base, steps: 3, samples: 2, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen[seen.length - 1]).toBe(1);
    seen.forEach((f, i) => i > 0 && expect(f).toBeGreaterThanOrEqual(seen[i - 1]!));
  });

  it('rejects bad requests with invalid_input / too_large', async () => {
    const bad = async (input = lr, opts: Record<string, unknown> = {}) => {
      try {
        await runUpscale(model, input, { ...base, ...opts } as never);
      } catch (err) {
        return err as MedsrError;
      }
      throw new Error('expected a rejection');
    };
    expect((await bad(lr, { scale: 3 })).code).toBe('upscale.scale');
    expect((await bad(lr, { steps: 0 })).kind).toBe('invalid_input');
    expect((await bad(lr, { samples: 1000 })).kind).toBe('invalid_input');
    expect((await bad(lr, { scheduler: 'euler' })).code).toBe('upscale.scheduler');
    const nan = phantomTensor(8, 8);
    nan.data[3] = NaN;
    expect((await bad(nan)).code).toBe('upscale.nan');
    expect((await bad(imageTensor(3000, 3000))).kind).toBe('too_large');
  });
});
