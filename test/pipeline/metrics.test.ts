import { bodyMask, defaultBodyThreshold, psnr, ssim, ssimMap } from '../../src/pipeline/metrics';
import type { Plane } from '../../src/pipeline/plane';
import { f32, maxRelativeDiff, reference, TINY_MODEL_DIR } from './helpers/reference';

// Against SciPy running the training recipe's evaluation code (make-tiny-model.py, metric_references).
describe('metrics match the training recipe', () => {
  const ref = reference(TINY_MODEL_DIR, 'metrics');
  const plane = (name: string): Plane => ({ data: f32(ref.inputs[name]), height: ref.inputs[name]!.shape[2]!, width: ref.inputs[name]!.shape[3]! });
  const scalars = ref.raw.scalars as Record<string, number>;
  const x = plane('x');
  const hr = plane('hr');

  it('body mask: threshold, closing, hole filling, opening', () => {
    expect(defaultBodyThreshold(hr)).toBeCloseTo(scalars.threshold!, 5);
    const mask = bodyMask(hr);
    expect(Array.from(mask)).toEqual(Array.from(f32(ref.outputs.mask)));
    expect(mask[20 * hr.width + 17]).toBe(1);
  });

  it('PSNR whole frame and in the mask', () => {
    expect(psnr(x, hr)).toBeCloseTo(scalars.psnr!, 4);
    expect(psnr(x, hr, bodyMask(hr))).toBeCloseTo(scalars.psnr_mask!, 4);
    expect(psnr(hr, hr)).toBeGreaterThan(150);
  });

  it('SSIM map and means', () => {
    expect(maxRelativeDiff(ssimMap(x, hr), f32(ref.outputs.ssim_map))).toBeLessThan(1e-5);
    expect(ssim(x, hr)).toBeCloseTo(scalars.ssim!, 5);
    expect(ssim(x, hr, bodyMask(hr))).toBeCloseTo(scalars.ssim_mask!, 5);
    expect(ssim(hr, hr)).toBeCloseTo(1, 10);
  });
});
