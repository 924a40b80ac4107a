import { imageTensor, type Tensor } from '../../../src/shared/tensor';
import { conditioningFloor, fromConditioning, toConditioning, type NormalisationSpec } from '../../../src/ingest/transforms';
import type { DecodedFrame, PixelDescription } from '../../../src/ingest/types';
import { firstDifference } from '../helpers/arrays';
import { decodeUncompressedFrame, loadCorpusInstance } from '../helpers/corpus-instance';
import { caught } from '../helpers/caught';

const CT_SPEC: NormalisationSpec = { kind: 'fixed', min: -1024, max: 2048 };
const MR_SPEC: NormalisationSpec = { kind: 'percentile', low: 0, high: 99.5 };

const ct = loadCorpusInstance('CT_small.dcm');
const mr = loadCorpusInstance('MR_small.dcm');
const ctFrame = decodeUncompressedFrame(ct);
const mrFrame = decodeUncompressedFrame(mr);

/** Nearest-neighbour s x upsampling: every value repeated in an s x s block. */
function upsampleNearest(t: Tensor, rows: number, columns: number, s: number): Tensor {
  const out = imageTensor(rows * s, columns * s);
  for (let r = 0; r < rows * s; r++) for (let c = 0; c < columns * s; c++) out.data[r * columns * s + c] = t.data[Math.floor(r / s) * columns + Math.floor(c / s)]!;
  return out;
}

describe('toConditioning / fromConditioning on real data', () => {
  it('round-trips signed CT stored values exactly (rescale intercept -1024)', () => {
    expect(ct.pixel.pixelRepresentation).toBe(1);
    expect(ct.pixel.rescaleIntercept).toBe(-1024);
    const { tensor, steps } = toConditioning(ctFrame, ct.pixel, CT_SPEC);
    expect(tensor.shape).toEqual([1, 1, ct.pixel.rows, ct.pixel.columns]);
    expect(steps.map((s) => s.name)).toEqual(['modality-lut', 'normalise']);
    // fixed: HU -1024 -> -1 and 2048 -> +1, i.e. stored 0 -> -1 with intercept -1024
    const i = ctFrame.stored.findIndex((v) => v !== 0);
    const hu = ctFrame.stored[i]! - 1024;
    expect(tensor.data[i]).toBeCloseTo((2 * (hu + 1024)) / 3072 - 1, 6);
    expect(firstDifference(fromConditioning(tensor, steps, ct.pixel), ctFrame.stored)).toBeUndefined();
  });

  it('round-trips MR stored values exactly with percentile normalisation', () => {
    const { tensor, steps } = toConditioning(mrFrame, mr.pixel, MR_SPEC);
    const sorted = Array.from(tensor.data).sort((a, b) => a - b);
    expect(sorted[0]).toBeCloseTo(-1, 6); // p0 -> -1
    const rankOf995 = 0.995 * (sorted.length - 1);
    expect(sorted[Math.floor(rankOf995)]!).toBeLessThanOrEqual(1 + 1e-6);
    expect(sorted[Math.ceil(rankOf995)]!).toBeGreaterThanOrEqual(1 - 1e-6);
    expect(firstDifference(fromConditioning(tensor, steps, mr.pixel), mrFrame.stored)).toBeUndefined();
  });

  it('undoes the steps on an upscaled tensor (steps act per value)', () => {
    const { tensor, steps } = toConditioning(ctFrame, ct.pixel, CT_SPEC);
    const up = upsampleNearest(tensor, ct.pixel.rows, ct.pixel.columns, 2);
    const back = fromConditioning(up, steps, ct.pixel);
    expect(back.length).toBe(4 * ctFrame.stored.length);
    const expected = fromConditioning(upsampleNearest(imageTensor(ct.pixel.rows, ct.pixel.columns, Float32Array.from(ctFrame.stored)), ct.pixel.rows, ct.pixel.columns, 2), [], ct.pixel);
    expect(firstDifference(back, expected)).toBeUndefined();
  });

  it('mirrors MONOCHROME1 so the model sees MONOCHROME2 semantics, and mirrors back', () => {
    const mono1: DecodedFrame = { ...mrFrame, photometricInterpretation: 'MONOCHROME1' };
    const pixel1: PixelDescription = { ...mr.pixel, photometricInterpretation: 'MONOCHROME1' };
    // Over the whole representable range, mirroring is exactly a sign flip of the normalised value.
    const full: NormalisationSpec = { kind: 'fixed', min: -32768, max: 32767 };
    const plain = toConditioning(mrFrame, mr.pixel, full);
    const mirrored = toConditioning(mono1, pixel1, full);
    expect(mirrored.steps.map((s) => s.name)).toEqual(['modality-lut', 'monochrome1', 'normalise']);
    const worst = mirrored.tensor.data.reduce((m, v, i) => Math.max(m, Math.abs(v + plain.tensor.data[i]!)), 0);
    expect(worst).toBeLessThan(1e-6);
    expect(firstDifference(fromConditioning(mirrored.tensor, mirrored.steps, pixel1), mrFrame.stored)).toBeUndefined();
    // With percentiles the brightest stored value (darkest on screen) becomes the lowest input.
    const p = toConditioning(mono1, pixel1, MR_SPEC);
    const brightest = mrFrame.stored.indexOf(Math.max(...mrFrame.stored));
    expect(p.tensor.data[brightest]).toBe(Math.min(...p.tensor.data));
    expect(firstDifference(fromConditioning(p.tensor, p.steps, pixel1), mrFrame.stored)).toBeUndefined();
  });
});

describe('fromConditioning clamps and rounds into BitsStored/PixelRepresentation', () => {
  const steps = [{ name: 'modality-lut' as const, slope: 1, intercept: 0 }];
  const pixel12: PixelDescription = { ...mr.pixel, bitsStored: 12, highBit: 11, pixelRepresentation: 0 };

  it('clamps to [0, 4095] for 12-bit unsigned and to the int16 range for 16-bit signed', () => {
    const t = imageTensor(1, 5, Float32Array.from([-7, 0.49, 2.5, 4095.4, 1e6]));
    expect(Array.from(fromConditioning(t, steps, pixel12))).toEqual([0, 0, 3, 4095, 4095]);
    const signed = imageTensor(1, 4, Float32Array.from([-1e6, -2.5, 32767.4, 40000]));
    expect(Array.from(fromConditioning(signed, steps, ct.pixel))).toEqual([-32768, -3, 32767, 32767]);
  });
});

describe('failures', () => {
  it('refuses colour frames as unsupported', () => {
    const rgb: DecodedFrame = { rows: 1, columns: 1, samplesPerPixel: 3, photometricInterpretation: 'RGB', stored: Int32Array.from([1, 2, 3]) };
    const err = caught(() => toConditioning(rgb, { ...mr.pixel, samplesPerPixel: 3, photometricInterpretation: 'RGB' }, MR_SPEC));
    expect(err.kind).toBe('unsupported');
    expect(err.code).toBe('pixels.colour');
    expect(err.message).toMatch(/greyscale only/);
  });

  it('names the step that failed', () => {
    const zeroSlope = caught(() => toConditioning(mrFrame, { ...mr.pixel, rescaleSlope: 0 }, MR_SPEC));
    expect(zeroSlope.message).toMatch(/"modality-lut" \(forward\)/);
    expect(zeroSlope.details.step).toBe('modality-lut');
    const badSpec = caught(() => toConditioning(mrFrame, mr.pixel, { kind: 'percentile', low: 90, high: 10 }));
    expect(badSpec.details.step).toBe('normalise');
    const { steps } = toConditioning(mrFrame, mr.pixel, MR_SPEC);
    const nan = caught(() => fromConditioning(imageTensor(1, 2, Float32Array.from([0, Number.NaN])), steps, mr.pixel));
    expect(nan.details.step).toBe('input');
    expect(nan.message).toMatch(/non-finite value NaN at index 1/);
    const overflow = caught(() => fromConditioning(imageTensor(1, 1, Float32Array.from([3e38])), [{ name: 'normalise', offset: 0, scale: 1e300, spec: MR_SPEC }], mr.pixel));
    expect(overflow.details).toMatchObject({ step: 'normalise', direction: 'inverse' });
  });
});

describe('conditioningFloor: the conditioning value of the lowest storable value', () => {
  it('is exactly what a pixel stored at it becomes (an unsigned MR file: stored 0)', () => {
    const unsigned: PixelDescription = { ...mr.pixel, pixelRepresentation: 0 };
    const zeroed: DecodedFrame = { ...mrFrame, stored: mrFrame.stored.map((v, i) => (i < 10 ? 0 : Math.max(v, 0))) };
    const { tensor, steps } = toConditioning(zeroed, unsigned, MR_SPEC);
    const floor = conditioningFloor(steps, unsigned);
    expect(floor).toBeDefined();
    for (let i = 0; i < 10; i++) expect(tensor.data[i]).toBe(floor);
    expect(Math.min(...tensor.data)).toBe(floor);
    // a signed MR file (this one as it is) stores below zero: its floor lies below every pixel
    const signed = toConditioning(mrFrame, mr.pixel, MR_SPEC);
    expect(Math.min(...signed.tensor.data)).toBeGreaterThan(conditioningFloor(signed.steps, mr.pixel)!);
  });

  it('is the signed minimum through the modality LUT for signed CT (no real pixel reaches it)', () => {
    const { tensor, steps } = toConditioning(ctFrame, ct.pixel, CT_SPEC);
    const floor = conditioningFloor(steps, ct.pixel)!;
    expect(floor).toBeCloseTo((2 * (-(2 ** (ct.pixel.bitsStored - 1)) - 1024 + 1024)) / 3072 - 1, 5);
    expect(Math.min(...tensor.data)).toBeGreaterThan(floor);
  });

  it('is undefined where MONOCHROME1 reverses the order of values', () => {
    const mono1: DecodedFrame = { ...mrFrame, photometricInterpretation: 'MONOCHROME1' };
    const pixel1: PixelDescription = { ...mr.pixel, photometricInterpretation: 'MONOCHROME1' };
    expect(conditioningFloor(toConditioning(mono1, pixel1, MR_SPEC).steps, pixel1)).toBeUndefined();
  });
});
