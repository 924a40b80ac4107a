/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
/**
 * The shipped model's refiners (training/refiner.py, training/ct_refiner.py): the MR one runs on the MR paths, the CT
 * one on CT's at the scales it names, each output is projected onto the input again, and tiling a large slice gives
 * what one whole-slice call gives.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createTensor } from '../../src/shared/tensor';
import { DEFAULT_MODEL_DIR } from '../../src/shared/config';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { foregroundBox } from '../../src/pipeline/foreground-box';
import { refine, REFINER_REACH, REFINER_TILE, refinerApplies, refinerFor, refinerPasses, refineTiles } from '../../src/pipeline/refine';
import { runUpscale } from '../../src/pipeline/upscale';
import { phantomTensor } from './helpers/images';

const shipped = JSON.parse(fs.readFileSync(path.join(DEFAULT_MODEL_DIR, 'model_index.json'), 'utf8')) as { refiner?: unknown };
const describeShipped = shipped.refiner ? describe : describe.skip;

let model: LoadedModel;
beforeAll(async () => {
  if (shipped.refiner) model = await loadModel(DEFAULT_MODEL_DIR, { device: 'cpu', intraOpThreads: 1 });
});
afterAll(async () => {
  if (model) await disposeModel(model);
});

describe('refinerApplies', () => {
  const spec = { graph: 'refiner' as const, modalities: ['MR'], degradations: ['kspace' as const], train_iterations: 1 };
  it('picks the paths the manifest names, whatever the modality case', () => {
    expect(refinerApplies(spec, 'kspace', 'mr')).toBe(true);
    expect(refinerApplies(spec, 'bicubic', 'MR')).toBe(false);
    expect(refinerApplies(spec, 'auto', 'MR')).toBe(false);
    expect(refinerApplies(spec, 'kspace', 'CT')).toBe(false);
    expect(refinerApplies(undefined, 'kspace', 'MR')).toBe(false);
  });
});

describe('refinerPasses', () => {
  const spec = { graph: 'refiner' as const, modalities: ['MR'], degradations: ['kspace' as const], train_iterations: 1 };
  it("runs the manifest's passes for the path and scale, one where it names none", () => {
    const passes = { kspace: { '2': 2, '4': 1 }, bicubic: { '2': 1 } };
    expect(refinerPasses({ ...spec, passes }, 'kspace', 2)).toBe(2);
    expect(refinerPasses({ ...spec, passes }, 'kspace', 4)).toBe(1);
    expect(refinerPasses({ ...spec, passes }, 'bicubic', 2)).toBe(1);
    expect(refinerPasses({ ...spec, passes }, 'bicubic', 4)).toBe(1);
    expect(refinerPasses(spec, 'kspace', 2)).toBe(1);
  });
});

describeShipped('the shipped refiner', () => {
  it('runs on the MR k-space and resampled paths (told or routed there) and is recorded; not on CT', async () => {
    const mrOnly = { ...model, manifest: { ...model.manifest, ct_refiner: undefined } };
    const lr = phantomTensor(48, 40);
    const base = { scale: 2 as const, prompt: 'mr head t1 axial', modality: 'MR' };
    for (const degradation of ['kspace', 'bicubic'] as const) {
      const out = await runUpscale(model, lr, { ...base, degradation });
      expect(out.settings.refined).toBe(true);
      expect(out.settings.refinerPasses).toBe(refinerPasses(model.manifest.refiner!, degradation, 2));
      expect(out.timings.refiner).toBeGreaterThan(0);
      // projected again after the refiner: the output still reproduces the input exactly
      expect(out.dcResidual).toBeLessThan(1e-4);
    }
    expect((await runUpscale(mrOnly, lr, { ...base, modality: 'CT', prompt: 'ct head axial', degradation: 'bicubic' })).settings.refined).toBeUndefined();
  });

  it("gives CT slices the CT refiner where the model ships one, at the scales its passes name", async () => {
    const ct = model.manifest.ct_refiner;
    if (!ct) return;   // before model 2.9: no CT refiner (the test above)
    const lr = phantomTensor(48, 40);
    expect(refinerFor(model.manifest, model.graphs, 'kspace', 'MR')!.spec).toBe(model.manifest.refiner);
    expect(refinerFor(model.manifest, model.graphs, 'area', 'MR')).toBeUndefined();
    for (const degradation of ct.degradations) {
      expect(refinerFor(model.manifest, model.graphs, degradation, 'ct')!.spec).toBe(ct);
      for (const scale of [2, 4] as const) {
        const out = await runUpscale(model, lr, { scale, prompt: 'ct head axial', modality: 'CT', degradation, steps: 1 });
        const passes = refinerPasses(ct, degradation, scale);
        expect(out.settings.refinerPasses).toBe(passes > 0 ? passes : undefined);
        if (passes > 0) expect(out.timings.refiner).toBeGreaterThan(0);
        else expect(out.timings.refiner).toBeUndefined();
        expect(out.dcResidual).toBeLessThan(1e-4);
      }
    }
  });

  it("samples with the refiner's steps on its paths unless the request names steps; the scheduler's elsewhere", async () => {
    const lr = phantomTensor(48, 40);
    const base = { scale: 2 as const, prompt: 'mr head t1 axial', modality: 'MR', degradation: 'kspace' as const };
    const manifest = model.manifest;
    const defaults = manifest.scheduler.default_steps;
    const withSteps = (steps: number) => ({ ...model, manifest: { ...manifest, refiner: { ...manifest.refiner!, steps } } });
    const refinerSteps = defaults + 1;      // unlike the scheduler's, so the test tells them apart
    const refined = await runUpscale(withSteps(refinerSteps), lr, base);
    expect(refined.settings.steps).toBe(refinerSteps);
    expect(refined.timings.unet_calls).toBe(refinerSteps);
    expect((await runUpscale(withSteps(refinerSteps), lr, { ...base, steps: 3 })).settings.steps).toBe(3);
    // CT: no MR refiner; at x4 no CT refiner either (its passes there are 0), at x2 the CT refiner's own steps
    const ctRequest = { ...base, modality: 'CT', prompt: 'ct head axial', degradation: 'bicubic' as const };
    const ct = await runUpscale(withSteps(refinerSteps), lr, { ...ctRequest, scale: 4 });
    expect(ct.settings.steps).toBe(defaults);
    expect(ct.timings.unet_calls).toBe(defaults);
    const ctRefined = refinerFor(manifest, model.graphs, 'bicubic', 'CT');
    const ctX2Steps = ctRefined && refinerPasses(ctRefined.spec, 'bicubic', 2) > 0 ? ctRefined.spec.steps ?? defaults : defaults;
    expect((await runUpscale(withSteps(refinerSteps), lr, ctRequest)).settings.steps).toBe(ctX2Steps);
    // the shipped manifest: its refiner's steps (or the scheduler's, where it names none) on the refined path
    expect((await runUpscale(model, lr, base)).settings.steps).toBe(manifest.refiner!.steps ?? defaults);
  });

  it('runs the passes the manifest names for the scale, each projected again', async () => {
    const lr = phantomTensor(48, 40);
    const options = { scale: 2 as const, prompt: 'mr head t1 axial', modality: 'MR', degradation: 'kspace' as const, seed: 3 };
    const manifest = model.manifest;
    const passes = refinerPasses(manifest.refiner!, 'kspace', 2);
    const withPasses = (n: number) => ({ ...model, manifest: { ...manifest, refiner: { ...manifest.refiner!, passes: { kspace: { '2': n } } } } });
    const fewer = await runUpscale(withPasses(passes), lr, options);
    const more = await runUpscale(withPasses(passes + 1), lr, options);
    expect(more.settings.refinerPasses).toBe(passes + 1);
    expect(more.dcResidual).toBeLessThan(1e-4);
    // the extra pass changes the image: the refiner reads its own projected output again
    let changed = 0;
    for (let i = 0; i < more.mean.data.length; i++) changed = Math.max(changed, Math.abs(more.mean.data[i]! - fewer.mean.data[i]!));
    expect(changed).toBeGreaterThan(1e-4);
  });

  it('tiles a slice larger than its tile like one whole-slice call (within 1% of what the refiner changes; RMS 1e-4)', async () => {
    const big = phantomTensor(600, 700);
    const plane = { data: big.data, height: 600, width: 700 };
    // 256-pixel tiles (the shipped 1024 would run this slice whole), the shipped overlap
    const tiled = await refineTiles(model.graphs.refiner!, plane, 2, { ...REFINER_TILE, size: 256 });
    const { output } = await model.graphs.refiner!.run({ image: createTensor([1, 1, 600, 700], big.data), scale: createTensor([1], new Float32Array([2])) });
    let worst = 0;
    let changed = 0;
    let squares = 0;
    for (let i = 0; i < tiled.data.length; i++) {
      const d = tiled.data[i]! - output!.data[i]!;
      worst = Math.max(worst, Math.abs(d));
      squares += d * d;
      changed = Math.max(changed, Math.abs(output!.data[i]! - big.data[i]!));
    }
    // the refiner does change the image, and the tiles agree with the whole: the seams, where a tile's
    // convolutions saw padding, weigh little in the raised-cosine blend
    expect(changed).toBeGreaterThan(0.05);
    expect(worst).toBeLessThan(0.01 * changed);
    expect(Math.sqrt(squares / tiled.data.length)).toBeLessThan(1e-4);
  });

  it('runs in the window around the subject: there as a whole-slice call, the background outside left as it came', async () => {
    const lr = phantomTensor(560, 400, 4);
    const plane = { data: lr.data, height: 560, width: 400 };
    const subject = foregroundBox(plane, 0, 1)!;
    const box = foregroundBox(plane, REFINER_REACH, 2)!;
    // the phantom's ellipse leaves background on every side: a window smaller than the slice
    expect(box.y).toBeGreaterThan(0);
    expect(box.x).toBeGreaterThan(0);
    expect(box.height).toBeLessThan(560);
    expect(box.width).toBeLessThan(400);
    const windowed = await refine(model.graphs.refiner!, plane, 2);
    const { output } = await model.graphs.refiner!.run({ image: createTensor([1, 1, 560, 400], lr.data), scale: createTensor([1], new Float32Array([2])) });
    const within = (t: typeof box, y: number, x: number) => y >= t.y && y < t.y + t.height && x >= t.x && x < t.x + t.width;
    let subjectDiff = 0;
    let changed = 0;
    let outsideKept = true;
    for (let y = 0; y < 560; y++) {
      for (let x = 0; x < 400; x++) {
        const i = y * 400 + x;
        changed = Math.max(changed, Math.abs(output!.data[i]! - lr.data[i]!));
        // the subject: what the whole slice's call gives (the reach keeps the window's edge out of its view)
        if (within(subject, y, x)) subjectDiff = Math.max(subjectDiff, Math.abs(windowed.data[i]! - output!.data[i]!));
        if (!within(box, y, x)) outsideKept &&= windowed.data[i] === lr.data[i];
      }
    }
    expect(changed).toBeGreaterThan(0.05);
    expect(subjectDiff).toBeLessThan(1e-5);
    expect(outsideKept).toBe(true);
  });
});
