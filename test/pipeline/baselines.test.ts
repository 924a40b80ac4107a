/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { classicalUpsample, regressionUpsample } from '../../src/pipeline/baselines';
import type { DegradationMode } from '../../src/pipeline/manifest';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { planeOf, type Plane } from '../../src/pipeline/plane';
import { bicubicUpsample } from '../../src/pipeline/resample/bicubic';
import { lanczosUpsample } from '../../src/pipeline/resample/lanczos';
import { zeroFillUpsample } from '../../src/pipeline/resample/zero-fill';
import { f32, loadReferences, maxRelativeDiff } from './helpers/reference';
import { parityModelDirs } from './helpers/model-dirs';
import { phantomTensor, sameBits } from './helpers/images';

describe('classical baselines', () => {
  it('dispatch to bicubic, Lanczos-3 and zero-fill', () => {
    const lr = planeOf(phantomTensor(12, 10));
    expect(sameBits(classicalUpsample(lr, 2, 'bicubic').data, bicubicUpsample(lr, 2).data)).toBe(true);
    expect(sameBits(classicalUpsample(lr, 4, 'lanczos').data, lanczosUpsample(lr, 4).data)).toBe(true);
    expect(sameBits(classicalUpsample(lr, 2, 'zero-fill').data, zeroFillUpsample(lr, 2).data)).toBe(true);
  });
});

describe.each(parityModelDirs())('regression baseline of %s', (dir) => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(dir, { device: 'cpu' });
  });
  afterAll(async () => {
    if (model) await disposeModel(model);
  });

  const ref = loadReferences(dir).find((r) => r.graph === 'pipeline' && r.tensors.regression);
  (ref ? it : it.skip)('equals the recipe: regression(x_up(lr)) within 1e-4', async () => {
    const t = ref!.tensors;
    const lr: Plane = { data: f32(t.lr_norm), height: t.lr_norm!.shape[2]!, width: t.lr_norm!.shape[3]! };
    const out = await regressionUpsample(model, lr, ref!.raw.scale as number, (ref!.raw.modality as string | undefined) ?? 'MR', ref!.raw.degradation as DegradationMode);
    expect(maxRelativeDiff(out.data, f32(t.regression))).toBeLessThan(1e-4);
  });

  it('handles sizes that are not a multiple of the model (reflect pad, crop)', async () => {
    const out = await regressionUpsample(model, planeOf(phantomTensor(21, 27)), 2, 'CT', 'bicubic');
    expect([out.height, out.width]).toEqual([42, 54]);
    expect(out.data.every(Number.isFinite)).toBe(true);
  });
});
