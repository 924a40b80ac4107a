/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { benchmark } from '../../src/pipeline/bench';
import { TINY_MODEL_DIR } from './helpers/reference';

describe('benchmark', () => {
  it('returns one row per case with every stage timed (no speed assertions: numbers go in reports)', async () => {
    const cases = [{ inputSize: 32, scale: 2, samples: 1 }, { inputSize: 16, scale: 4, samples: 2 }, { inputSize: 32, scale: 2, samples: 1, resampled: true }] as const;
    const rows = await benchmark({ modelDir: TINY_MODEL_DIR, device: 'cpu', cases: [...cases] });
    expect(rows.map((r) => [r.outputSize, r.samples, r.resampled ?? false])).toEqual([[64, 1, false], [64, 2, false], [64, 1, true]]);
    for (const r of rows) {
      expect(r.provider).toBe('cpu');
      expect(r.unetCalls).toBe(r.steps * r.samples);
      for (const v of [r.textEncoderMs, r.vaeEncoderMs, r.unetMs, r.vaeDecoderMs, r.consistencyMs, r.totalMs]) expect(v).toBeGreaterThan(0);
      expect(r.dcResidual).toBeLessThan(1e-3);
      expect(r.detectorMs).toBe(0); // the tiny model has no detector
      expect(r.unetOutputPixelsPerCall).toBe(64 * 64); // one tile: the whole output
    }
  });

  it('counts the output pixels one U-Net call covers when the slice is tiled', async () => {
    // the tiny model's tiles are 128 output pixels: a 192 x 192 output takes 4 of them per step
    const [row] = await benchmark({ modelDir: TINY_MODEL_DIR, device: 'cpu', cases: [{ inputSize: 96, scale: 2, samples: 1 }] });
    expect(row?.unetCalls).toBe((row?.steps ?? 0) * 4);
    expect(row?.unetOutputPixelsPerCall).toBe(128 * 128);
  });
});
