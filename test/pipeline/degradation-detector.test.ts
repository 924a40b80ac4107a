/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import fs from 'node:fs';
import path from 'node:path';
import { detectDegradation } from '../../src/pipeline/degradation-detector';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import type { Plane } from '../../src/pipeline/plane';
import { parityModelDirs } from './helpers/model-dirs';

interface DetectorCase { degradation: string; scale: number; lr: { shape: number[]; file: string }; probability_kspace: number | null }

const withDetector = parityModelDirs().filter((d) => fs.existsSync(path.join(d, 'reference', 'detector_decisions.json')));
const each = withDetector.length ? withDetector : ['(no model with a detector)'];
const maybe = withDetector.length ? it : it.skip;

function readPlane(dir: string, c: DetectorCase): Plane {
  const buf = fs.readFileSync(path.join(dir, 'reference', c.lr.file));
  return { data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), height: c.lr.shape[2]!, width: c.lr.shape[3]! };
}

describe.each(each)('degradation detector of %s', (dir) => {
  let model: LoadedModel;
  beforeAll(async () => {
    if (withDetector.length) model = await loadModel(dir, { device: 'cpu' });
  });
  afterAll(async () => {
    if (model) await disposeModel(model);
  });
  const detect = (lr: Plane, scale: number, modality = 'MR') => detectDegradation(model.manifest.detector!, model.graphs.detector!, lr, scale, modality);

  // The recipe's detector (training/detector.py) and ours agree on every reference case.
  maybe("gives the recipe's P(k-space) and decision on its reference slices", async () => {
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'detector_decisions.json'), 'utf8')) as { cases: DetectorCase[]; tolerance: { absolute: number } };
    expect(ref.cases.length).toBeGreaterThan(0);
    for (const c of ref.cases) {
      const d = await detect(readPlane(dir, c), c.scale);
      if (c.probability_kspace === null) {
        expect(d).toMatchObject({ degradation: model.manifest.detector!.fallback, probabilityKspace: undefined });
        continue;
      }
      expect(Math.abs(d.probabilityKspace! - c.probability_kspace)).toBeLessThan(ref.tolerance.absolute);
      expect(d.degradation).toBe(c.probability_kspace >= model.manifest.detector!.threshold ? 'kspace' : 'bicubic');
    }
  });

  maybe('routes the modalities in `routes`, does not judge others or other scales, and runs the fallback under min_side', async () => {
    const lr: Plane = { data: new Float32Array(64 * 64).fill(1), height: 64, width: 64 };
    for (const [modality, route] of Object.entries(model.manifest.detector!.routes)) {
      expect(await detect(lr, 2, modality)).toEqual({ degradation: route, probabilityKspace: undefined, reason: `the model's path for ${modality}` });
    }
    expect((await detect(lr, 2, 'XA')).degradation).toBeUndefined();
    expect((await detect(lr, 3)).degradation).toBeUndefined();
    const side = model.manifest.detector!.min_side;
    const small = await detect({ data: new Float32Array((side - 1) * 64), height: side - 1, width: 64 }, 2);
    expect(small).toMatchObject({ degradation: model.manifest.detector!.fallback, probabilityKspace: undefined });
  });
});
