import { imageTensor } from '../../src/shared/tensor';
import { toConditioning, uncertaintyToStored } from '../../src/ingest/transforms';
import { supportsRescale, writeDerived } from '../../src/ingest/write-derived';
import { decodeUncompressedFrame, instanceFromBytes, loadCorpusInstance } from './helpers/corpus-instance';
import { firstDifference, item, parse, save, srOptions } from './helpers/derived-fixtures';
import { dciodvfy, dcmdump } from './helpers/dicom-tools';

describe.each(['MR_small.dcm', 'CT_small.dcm'])('writeDerived uncertainty map of %s', (name) => {
  const source = loadCorpusInstance(name);
  const spec = name.startsWith('CT') ? ({ kind: 'fixed', min: -1024, max: 2048 } as const) : ({ kind: 'percentile', low: 0, high: 99.5 } as const);
  const { steps } = toConditioning(decodeUncompressedFrame(source), source.pixel, spec);
  const rows = source.pixel.rows * 2;
  const columns = source.pixel.columns * 2;
  // A plausible std map in the normalised domain: small, larger towards one corner.
  const std = imageTensor(rows, columns, Float32Array.from({ length: rows * columns }, (_, i) => 0.002 + (0.05 * (i % columns)) / columns));
  const stored = uncertaintyToStored([{ std, steps }], { allowRescale: supportsRescale(source) });
  const options = srOptions(source, 2, { kind: 'uncertainty', pixelRepresentation: stored.pixelRepresentation, seriesDescription: 'T1 AX uncertainty' });
  const bytes = writeDerived(source, stored.frames, options);
  const path = save(`uncertainty-${name}`, bytes);
  const out = parse(bytes);
  const src = parse(source.bytes);

  it('passes dciodvfy with no errors and no warnings the source does not already have, and dcmdump', () => {
    const derived = dciodvfy(path);
    expect(derived.errors).toEqual([]);
    const original = dciodvfy(source.ref.path);
    expect(derived.warnings.filter((line) => !original.warnings.includes(line))).toEqual([]);
    expect(dcmdump(path).status).toBe(0);
  });

  it('stores std in its own 16-bit unsigned representation with the chosen rescale', () => {
    expect([out.uint16('x00280100'), out.uint16('x00280101'), out.uint16('x00280102'), out.uint16('x00280103')]).toEqual([16, 16, 15, 0]);
    expect(out.string('x00280004')).toBe('MONOCHROME2');
    if (name.startsWith('MR')) {
      // Legacy MR has no Modality LUT: slope 1 (whole units) and no rescale attributes at all.
      expect(stored.pixelRepresentation.rescaleSlope).toBe(1);
      expect(out.elements['x00281053']).toBeUndefined();
      expect(out.elements['x00281052']).toBeUndefined();
    } else {
      expect(stored.pixelRepresentation.rescaleSlope).toBeLessThan(1);
      expect(out.floatString('x00281053')).toBe(stored.pixelRepresentation.rescaleSlope);
      expect(out.floatString('x00281052')).toBe(0);
    }
    const readBack = decodeUncompressedFrame(instanceFromBytes(bytes, path, 'derived'));
    expect(firstDifference(readBack.stored, stored.frames[0]!)).toBeUndefined();
    expect(out.uint16('x00280107')).toBe(Math.max(...stored.frames[0]!));
    expect(out.elements['x00280120']).toBeUndefined(); // the source's padding value means nothing here
  });

  it('has its own description and window, none copied from the source', () => {
    const description = out.string('x0008103e')!;
    expect(description.length).toBeLessThanOrEqual(64);
    expect(description).toMatch(/uncertainty \(per-pixel SD\)/);
    expect(description).toMatch(/NOT FOR DIAGNOSTIC USE/);
    expect(out.text('x00204000')).toMatch(/uncertainty \(per-pixel standard deviation.*NOT FOR DIAGNOSTIC USE/);
    expect(out.string('x00281055')).toBe('UNCERTAINTY');
    const maxModality = Math.max(...stored.frames[0]!) * stored.pixelRepresentation.rescaleSlope;
    expect(out.floatString('x00281051')).toBeCloseTo(maxModality - Math.min(...stored.frames[0]!) * stored.pixelRepresentation.rescaleSlope, 3);
    if (src.string('x00281050') !== undefined) expect(out.string('x00281050')).not.toBe(src.string('x00281050'));
  });

  it('references the same source image and frame of reference as the super-resolution', () => {
    expect(item(out, 'x00082112').string('x00081155')).toBe(source.sopInstanceUID);
    expect(out.string('x00200052')).toBe(source.frameOfReferenceUID);
    expect(out.string('x00080008', 0)).toBe('DERIVED');
  });
});
