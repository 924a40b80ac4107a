/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import fs from 'node:fs';
import path from 'node:path';
import { resampledConsistency } from '../../src/pipeline/consistency/resampled';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { degrade } from '../../src/pipeline/degrade';
import { relativeError, type Plane } from '../../src/pipeline/plane';
import { gaussianShareFor } from '../../src/pipeline/resampler-detector';
import { gaussianShareMix } from '../../src/pipeline/resample/resamplers';
import { runUpscale } from '../../src/pipeline/upscale';
import { createTensor } from '../../src/shared/tensor';
import { parityModelDirs } from './helpers/model-dirs';

interface Saved { shape: number[]; file: string }
interface ResamplerCase { made_by: string; scale: number; share: number; lr: Saved; upsampled: Saved; projected: Saved }

const withReader = parityModelDirs().filter((d) => fs.existsSync(path.join(d, 'reference', 'resampler.json')));
const each = withReader.length ? withReader : ['(no model with a resampler detector)'];
const maybe = withReader.length ? it : it.skip;

function readPlane(dir: string, saved: Saved): Plane {
  const buf = fs.readFileSync(path.join(dir, 'reference', saved.file));
  return { data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), height: saved.shape[2]!, width: saved.shape[3]! };
}

describe.each(each)('the resampler detector of %s', (dir) => {
  let model: LoadedModel;
  let ref: { cases: ResamplerCase[]; tolerance: { share: number; relative: number } };
  beforeAll(async () => {
    if (!withReader.length) return;
    model = await loadModel(dir, { device: 'cpu' });
    ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'resampler.json'), 'utf8'));
  });
  afterAll(async () => {
    if (model) await disposeModel(model);
  });

  // training/resampler_detector.py and degrade.resampled_down agree with ours on every reference case
  maybe("gives the recipe's share and projects onto the blend it names as the recipe does", async () => {
    expect(ref.cases.map((c) => c.made_by).sort()).toEqual(['bicubic', 'gaussian-spline']);
    for (const c of ref.cases) {
      const lr = readPlane(dir, c.lr);
      const share = await gaussianShareFor(model.manifest, model.graphs, lr, c.scale, 'MR', 'bicubic');
      expect(Math.abs(share! - c.share)).toBeLessThan(ref.tolerance.share);
      const projected = resampledConsistency(readPlane(dir, c.upsampled), lr, c.scale, gaussianShareMix(share!));
      expect(relativeError(projected.data, readPlane(dir, c.projected).data)).toBeLessThan(ref.tolerance.relative);
    }
  });

  maybe('judges only resampled MR slices at its scales and big enough to read', async () => {
    const lr = readPlane(dir, ref.cases[0]!.lr);
    const spec = model.manifest.resampler_detector!;
    const scale = Number(spec.scales[0]);
    expect(await gaussianShareFor(model.manifest, model.graphs, lr, scale, 'MR', 'kspace')).toBeUndefined();
    expect(await gaussianShareFor(model.manifest, model.graphs, lr, scale, 'CT', 'bicubic')).toBeUndefined();
    expect(await gaussianShareFor(model.manifest, model.graphs, lr, 3, 'MR', 'bicubic')).toBeUndefined();
    const small: Plane = { data: lr.data.slice(0, (spec.min_side - 1) * lr.width), height: spec.min_side - 1, width: lr.width };
    expect(await gaussianShareFor(model.manifest, model.graphs, small, scale, 'MR', 'bicubic')).toBeUndefined();
  });

  // the whole pipeline, told the resampled path: the share it projected with is recorded, and the output is
  // consistent with the blended operator, not with the contract's alone
  maybe('records the share a resampled MR slice projected with', async () => {
    const c = ref.cases.find((k) => k.made_by === 'gaussian-spline')!;
    const lr = readPlane(dir, c.lr);
    const out = await runUpscale(model, createTensor([1, 1, lr.height, lr.width], lr.data), { scale: c.scale as 2 | 4, prompt: 'mr head t1 axial', modality: 'MR', steps: 1, degradation: 'bicubic' });
    expect(Math.abs(out.settings.gaussianSplineShare! - c.share)).toBeLessThan(ref.tolerance.share);
    expect(out.dcResidual).toBeLessThan(1e-3);
    const ct = await runUpscale(model, createTensor([1, 1, lr.height, lr.width], lr.data), { scale: c.scale as 2 | 4, prompt: 'ct head axial', modality: 'CT', steps: 1, degradation: 'bicubic' });
    expect(ct.settings.gaussianSplineShare).toBeUndefined();
  });

  // told the downsampler (--resampler), the reader does not run and the output is consistent with that operator alone
  maybe('projects onto the downsampler the caller names, for MR and CT, and records it', async () => {
    const c = ref.cases.find((k) => k.made_by === 'gaussian-spline')!;
    const lr = readPlane(dir, c.lr);
    const s = c.scale as 2 | 4;
    for (const modality of ['MR', 'CT']) {
      const out = await runUpscale(model, createTensor([1, 1, lr.height, lr.width], lr.data), { scale: s, prompt: `${modality.toLowerCase()} head axial`, modality, steps: 1, degradation: 'bicubic', resampler: 'lanczos' });
      expect(out.settings.resampler).toBe('lanczos');
      expect(out.settings.gaussianSplineShare).toBeUndefined();
      const mean: Plane = { data: Float32Array.from(out.mean.data), height: lr.height * s, width: lr.width * s };
      expect(relativeError(degrade(mean, s, 'bicubic', { resampler: { lanczos: 1 } }).data, lr.data)).toBeLessThan(1e-5);
      expect(relativeError(degrade(mean, s, 'bicubic').data, lr.data)).toBeGreaterThan(1e-3);
    }
    // naming it says the input was resampled: `auto` takes the resampled path without asking the detector
    const auto = await runUpscale(model, createTensor([1, 1, lr.height, lr.width], lr.data), { scale: s, prompt: 'mr head axial', modality: 'MR', steps: 1, resampler: 'bilinear' });
    expect(auto.settings).toMatchObject({ requestedDegradation: 'auto', degradation: 'bicubic', resampler: 'bilinear', degradationReason: 'its downsampler named: bilinear' });
    expect(auto.settings.detectorProbabilityKspace).toBeUndefined();
    // and contradicts a told lower matrix
    await expect(runUpscale(model, createTensor([1, 1, lr.height, lr.width], lr.data), { scale: s, prompt: 'mr head axial', modality: 'MR', steps: 1, degradation: 'kspace', resampler: 'lanczos' }))
      .rejects.toMatchObject({ kind: 'invalid_input', code: 'upscale.resampler' });
  });
});
