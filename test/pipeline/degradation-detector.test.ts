/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import fs from 'node:fs';
import path from 'node:path';
import { detectDegradation, detectorFor, probabilitySetting } from '../../src/pipeline/degradation-detector';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import type { Plane } from '../../src/pipeline/plane';
import { parityModelDirs } from './helpers/model-dirs';
import { runUpscale } from '../../src/pipeline/upscale';
import { createTensor } from '../../src/shared/tensor';

type DetectorName = 'detector' | 'ct_detector';
interface DetectorCase { graph?: DetectorName; degradation: string; scale: number; lr: { shape: number[]; file: string }; probability: number | null }

const withDetector = parityModelDirs().filter((d) => fs.existsSync(path.join(d, 'reference', 'detector_decisions.json')));
const each = withDetector.length ? withDetector : ['(no model with a detector)'];
const maybe = withDetector.length ? it : it.skip;

function readPlane(dir: string, c: DetectorCase): Plane {
  const buf = fs.readFileSync(path.join(dir, 'reference', c.lr.file));
  return { data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), height: c.lr.shape[2]!, width: c.lr.shape[3]! };
}

describe.each(each)('degradation detectors of %s', (dir) => {
  let model: LoadedModel;
  beforeAll(async () => {
    if (withDetector.length) model = await loadModel(dir, { device: 'cpu' });
  });
  afterAll(async () => {
    if (model) await disposeModel(model);
  });
  const detect = (lr: Plane, scale: number, modality = 'MR', name: DetectorName = 'detector') =>
    detectDegradation(model.manifest[name]!, model.graphs[name]!, lr, scale, modality);

  // The recipe's detectors (training/detector.py, training/ct_detector.py) and ours agree on every reference case.
  maybe("give the recipe's probabilities and decisions on its reference slices", async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'detector_decisions.json'), 'utf8')) as { cases: DetectorCase[]; tolerance: { absolute: number } };
    expect(ref.cases.length).toBeGreaterThan(0);
    for (const c of ref.cases) {
      const name = c.graph ?? 'detector';
      const spec = model.manifest[name]!;
      const d = await detect(readPlane(dir, c), c.scale, spec.modalities[0], name);
      if (c.probability === null) {
        expect(d).toMatchObject({ degradation: spec.fallback, probability: undefined });
        continue;
      }
      expect(d.probability!.of).toBe(spec.classes[0]);
      expect(Math.abs(d.probability!.value - c.probability)).toBeLessThan(ref.tolerance.absolute);
      expect(d.degradation).toBe(c.probability >= spec.threshold ? spec.classes[0] : spec.classes[1]);
    }
  });

  maybe('routes the modalities in `routes`, does not judge others or other scales, and runs the fallback under min_side', async () => {
    const lr: Plane = { data: new Float32Array(64 * 64).fill(1), height: 64, width: 64 };
    for (const [modality, route] of Object.entries(model.manifest.detector!.routes)) {
      expect(await detect(lr, 2, modality)).toEqual({ degradation: route, probability: undefined, reason: `the model's path for ${modality}` });
    }
    expect((await detect(lr, 2, 'XA')).degradation).toBeUndefined();
    expect((await detect(lr, 3)).degradation).toBeUndefined();
    const side = model.manifest.detector!.min_side;
    const small = await detect({ data: new Float32Array((side - 1) * 64), height: side - 1, width: 64 }, 2);
    expect(small).toMatchObject({ degradation: model.manifest.detector!.fallback, probability: undefined });
  });

  // The whole pipeline in auto mode: a CT slice takes the path the CT detector picks, and says why.
  maybe('runs an auto CT slice down the path the CT detector picks, recording P(area)', async () => {
    const spec = model.manifest.ct_detector;
    if (!spec) return;   // a model before 2.9: CT takes the detector's route (the test above)
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'detector_decisions.json'), 'utf8')) as { cases: DetectorCase[]; tolerance: { absolute: number } };
    const cases = ref.cases.filter((c) => c.graph === 'ct_detector' && c.probability !== null && c.scale === 2);
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const lr = readPlane(dir, c);
      const out = await runUpscale(model, createTensor([1, 1, lr.height, lr.width], lr.data), { scale: 2, prompt: 'ct head axial', modality: 'CT', steps: 1 });
      const picked = c.probability! >= spec.threshold ? spec.classes[0] : spec.classes[1];
      expect(out.settings).toMatchObject({ degradation: picked, requestedDegradation: 'auto' });
      expect(out.settings.degradationReason).toMatch(/^CT detector P\(area\)=\d\.\d\d$/);
      expect(Math.abs(out.settings.detectorProbabilityArea! - c.probability!)).toBeLessThan(ref.tolerance.absolute);
      expect(out.settings.detectorProbabilityKspace).toBeUndefined();
    }
  });

  maybe('gives each modality to the detector that names it, MR and the rest to the MR detector', () => {
    const ct = model.manifest.ct_detector;
    for (const modality of ct?.modalities ?? []) expect(detectorFor(model.manifest, model.graphs, modality)!.spec).toBe(ct);
    for (const modality of ['MR', 'XA']) expect(detectorFor(model.manifest, model.graphs, modality)!.spec).toBe(model.manifest.detector);
  });
});

describe('probabilitySetting', () => {
  it('names the probability after the class it is for', () => {
    expect(probabilitySetting({ of: 'kspace', value: 0.25 })).toEqual({ detectorProbabilityKspace: 0.25 });
    expect(probabilitySetting({ of: 'area', value: 0.75 })).toEqual({ detectorProbabilityArea: 0.75 });
    expect(probabilitySetting(undefined)).toEqual({});
  });
});
