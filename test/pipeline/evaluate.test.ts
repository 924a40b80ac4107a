/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { evaluateSlice } from '../../src/pipeline/evaluate';
import { degrade } from '../../src/pipeline/degrade';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { planeOf, tensorOf } from '../../src/pipeline/plane';
import { TINY_MODEL_DIR } from './helpers/reference';
import { phantomTensor } from './helpers/images';

describe('evaluateSlice', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(TINY_MODEL_DIR, { device: 'cpu' });
  });
  afterAll(async () => {
    if (model) await disposeModel(model);
  });

  it('scores the baselines and the pipeline; zero-fill is exact on band-limited k-space data', async () => {
    // a band-limited HR (its spectrum lies in the kept block; odd LR size, so no unpaired
    // Nyquist bin): zero-fill recovers it exactly
    const hrT = phantomTensor(62, 62, 8);
    const bandLimited = planeOf(hrT);
    const low = degrade(bandLimited, 2, 'kspace');
    const { zeroFillUpsample } = await import('../../src/pipeline/resample/zero-fill');
    const hr = zeroFillUpsample(low, 2);
    const lr = degrade(hr, 2, 'kspace');
    const rows = await evaluateSlice(model, tensorOf(hr), tensorOf(lr), { scale: 2, degradation: 'kspace', modality: 'MR', prompt: 'mr head', steps: 2 });
    expect(rows.map((r) => r.method)).toEqual(['bicubic', 'lanczos', 'zero-fill', 'bicubic+dc', 'regression', 'regression+dc', 'diffusion+dc']);
    const by = Object.fromEntries(rows.map((r) => [r.method, r]));
    expect(by['zero-fill']!.psnr).toBeGreaterThan(80);
    expect(by['zero-fill']!.psnr).toBeGreaterThan(by.bicubic!.psnr);
    // DC on k-space data brings everything to the exact low band, so it cannot hurt
    expect(by['regression+dc']!.psnr).toBeGreaterThanOrEqual(by.regression!.psnr - 1e-6);
    expect(by['diffusion+dc']!.dcResidual).toBeLessThan(1e-3);
    expect(by['bicubic+dc']!.dcResidual).toBeLessThan(1e-3);
    expect(by['bicubic+dc']!.psnr).toBeGreaterThan(by.bicubic!.psnr);
    for (const r of rows) {
      expect(r.ssim).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.psnrMask)).toBe(true);
    }
  });
});
