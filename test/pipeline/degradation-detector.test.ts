import fs from 'node:fs';
import path from 'node:path';
import { loadManifest } from '../../src/pipeline/manifest';
import { detectDegradation, spectralFeatures } from '../../src/pipeline/degradation-detector';
import { degrade } from '../../src/pipeline/degrade';
import type { Plane } from '../../src/pipeline/plane';
import { SeededRng } from '../../src/shared/rng';
import { parityModelDirs } from './helpers/model-dirs';

interface DetectorCase { degradation: string; scale: number; lr: { shape: number[]; file: string }; features: number[]; probability_kspace: number | null }

const withDetector = parityModelDirs().filter((d) => fs.existsSync(path.join(d, 'reference', 'detector.json')));

// The recipe's detector (training/detector.py) and ours agree on every reference case.
describe.each(withDetector.length ? withDetector : ['(no model with a detector)'])('degradation detector parity with %s', (dir) => {
  (withDetector.length ? it : it.skip)('gives the recipe\'s features and P(k-space) on its reference slices', async () => {
    const manifest = await loadManifest(dir);
    const ref = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'detector.json'), 'utf8')) as { cases: DetectorCase[] };
    expect(manifest.detector).toBeDefined();
    for (const c of ref.cases) {
      const buf = fs.readFileSync(path.join(dir, 'reference', c.lr.file));
      const lr: Plane = { data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)), height: c.lr.shape[2]!, width: c.lr.shape[3]! };
      const f = spectralFeatures(lr, manifest.detector!.bands, manifest.detector!.reference_bands);
      f.forEach((v, i) => expect(Math.abs(v - c.features[i]!)).toBeLessThan(1e-6));
      const d = detectDegradation(manifest.detector!, lr, c.scale, 'MR');
      if (c.probability_kspace === null) {
        // too small to judge: both sides run the fallback
        expect(d).toEqual({ degradation: manifest.detector!.fallback, probabilityKspace: undefined });
        continue;
      }
      expect(Math.abs(d.probabilityKspace! - c.probability_kspace)).toBeLessThan(1e-6);
      expect(d.degradation).toBe(c.probability_kspace >= manifest.detector!.threshold ? 'kspace' : 'bicubic');
    }
  });
});

describe('degradation detector rules', () => {
  const detector = {
    kind: 'spectral_logistic' as const, bands: 8, reference_bands: [2, 4] as [number, number], min_side: 16, fallback: 'kspace' as const, modalities: ['MR'], threshold: 0.5,
    // a hand-made model: "k-space" when the top band holds power like the mid bands
    scales: { '2': { mean: new Array(8).fill(0), std: new Array(8).fill(1), weights: [0, 0, 0, 0, 0, 0, 0, 2], bias: 0.6 } },
  };
  const rng = new SeededRng(5);
  const hr: Plane = { data: Float32Array.from({ length: 128 * 128 }, () => rng.nextGaussian()), height: 128, width: 128 };

  it('features are invariant to the intensity scale and offset', () => {
    const shifted: Plane = { ...hr, data: hr.data.map((v) => 3 * v + 100) };
    const a = spectralFeatures(hr, 8, [2, 4]);
    const b = spectralFeatures(shifted, 8, [2, 4]);
    a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 4));
  });

  it('sees the roll-off of resampling: white noise truncated keeps a flat spectrum, resampled does not', () => {
    const truncated = spectralFeatures(degrade(hr, 2, 'kspace'), 8, [2, 4]);
    const resampled = spectralFeatures(degrade(hr, 2, 'bicubic'), 8, [2, 4]);
    expect(Math.abs(truncated[7]!)).toBeLessThan(0.3);
    expect(resampled[7]!).toBeLessThan(-0.4);
    expect(detectDegradation(detector, degrade(hr, 2, 'kspace'), 2, 'MR').degradation).toBe('kspace');
    expect(detectDegradation(detector, degrade(hr, 2, 'bicubic'), 2, 'MR').degradation).toBe('bicubic');
  });

  it('does not judge other modalities or scales, and runs the fallback for slices under min_side', () => {
    const lr = degrade(hr, 2, 'kspace');
    expect(detectDegradation(detector, lr, 2, 'CT').degradation).toBeUndefined();
    expect(detectDegradation(detector, lr, 4, 'MR').degradation).toBeUndefined();
    const small = detectDegradation(detector, { data: new Float32Array(8 * 40), height: 8, width: 40 }, 2, 'MR');
    expect(small).toEqual({ degradation: 'kspace', probabilityKspace: undefined });
  });
});
