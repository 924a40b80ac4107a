import { imageTensor } from '../../../src/shared/tensor';
import { uncertaintyToStored, type AppliedStep } from '../../../src/ingest/transforms';

const steps = (scale: number): AppliedStep[] => [
  { name: 'modality-lut', slope: 2, intercept: -1024 },
  { name: 'monochrome1', pivot: 100 },
  { name: 'normalise', offset: 37, scale, spec: { kind: 'fixed', min: -1024, max: 2048 } },
];

describe('uncertaintyToStored', () => {
  it('stores std in modality units as 16-bit unsigned with a slope that fits the largest value', () => {
    const a = imageTensor(1, 3, Float32Array.from([0, 0.01, 0.2]));
    const b = imageTensor(1, 2, Float32Array.from([0.05, 0.5]));
    const { frames, pixelRepresentation: rep } = uncertaintyToStored([
      { std: a, steps: steps(1536) },
      { std: b, steps: steps(100) },
    ]);
    expect(rep).toMatchObject({ bitsStored: 16, signed: false, rescaleIntercept: 0 });
    const modality = [[0, 0.01 * 1536, 0.2 * 1536], [0.05 * 100, 0.5 * 100]];
    const largest = 0.2 * 1536;
    expect(rep.rescaleSlope).toBeGreaterThanOrEqual(largest / 65535);
    expect(rep.rescaleSlope).toBeLessThan((largest / 65535) * 1.001);
    expect(rep.rescaleSlope.toString().length).toBeLessThanOrEqual(16);
    frames.forEach((frame, f) =>
      Array.from(frame).forEach((stored, i) => {
        expect(stored).toBeLessThanOrEqual(65535);
        expect(Math.abs(stored * rep.rescaleSlope - modality[f]![i]!)).toBeLessThanOrEqual(rep.rescaleSlope / 2 + 1e-6);
      }),
    );
  });

  it('stores whole modality units with slope 1 where the IOD has no rescale', () => {
    const std = imageTensor(1, 3, Float32Array.from([0.001, 0.0126, 0.5]));
    const { frames, pixelRepresentation } = uncertaintyToStored([{ std, steps: steps(1000) }], { allowRescale: false });
    expect(pixelRepresentation.rescaleSlope).toBe(1);
    expect(Array.from(frames[0]!)).toEqual([1, 13, 500]);
    const huge = uncertaintyToStored([{ std: imageTensor(1, 1, Float32Array.from([1000])), steps: steps(1000) }], { allowRescale: false });
    expect(Array.from(huge.frames[0]!)).toEqual([65535]);
  });

  it('uses slope 1 for an all-zero map and rejects negative or NaN std', () => {
    const zero = uncertaintyToStored([{ std: imageTensor(1, 2), steps: steps(10) }]);
    expect(zero.pixelRepresentation.rescaleSlope).toBe(1);
    expect(Array.from(zero.frames[0]!)).toEqual([0, 0]);
    expect(() => uncertaintyToStored([{ std: imageTensor(1, 1, Float32Array.from([-1])), steps: [] }])).toThrow(/not a finite non-negative/);
    expect(() => uncertaintyToStored([{ std: imageTensor(1, 1, Float32Array.from([Number.NaN])), steps: [] }])).toThrow(/not a finite non-negative/);
  });
});
