import { scaleGeometry } from '../../src/ingest/scale-geometry';
import type { DicomInstance } from '../../src/ingest/types';
import { isValidUid } from '../../src/ingest/uid';
import { writeDerived, type DerivedOptions } from '../../src/ingest/write-derived';
import { decodeUncompressedFrame, instanceFromBytes, loadCorpusInstance, PYDICOM_TEST_FILES } from './helpers/corpus-instance';
import { code, floats, item, parse, save, srOptions, upscaledFrames, firstDifference } from './helpers/derived-fixtures';
import { dciodvfy, dcmdump } from './helpers/dicom-tools';
import { join } from 'node:path';

const NOW = new Date('2026-03-04T05:06:07.089Z');

interface Written {
  source: DicomInstance;
  frames: Int32Array[];
  options: DerivedOptions;
  bytes: Uint8Array;
  path: string;
}

function writeFor(name: string, scale: number): Written {
  const source = loadCorpusInstance(name);
  const frames = upscaledFrames(source, scale);
  const options = srOptions(source, scale, { now: NOW });
  const bytes = writeDerived(source, frames, options);
  return { source, frames, options, bytes, path: save(`sr-x${scale}-${name}`, bytes) };
}

describe.each([
  ['CT_small.dcm', 2],
  ['MR_small.dcm', 4],
])('writeDerived super-resolution of %s (x%d)', (name, scale) => {
  const w = writeFor(name, scale);
  const out = parse(w.bytes);
  const src = parse(w.source.bytes);

  it('passes dciodvfy with no errors and no warnings the source does not already have', () => {
    const derived = dciodvfy(w.path);
    const original = dciodvfy(join(PYDICOM_TEST_FILES, name));
    expect(derived.errors).toEqual([]);
    expect(derived.warnings.filter((line) => !original.warnings.includes(line))).toEqual([]);
  });

  it('dumps cleanly with dcmdump', () => {
    expect(dcmdump(w.path).status).toBe(0);
  });

  it('is uncompressed Explicit VR Little Endian, without the source trailing padding', () => {
    expect(out.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(out.elements['x7fe00010']!.encapsulatedPixelData).toBeFalsy();
    expect(out.elements['xfffcfffc']).toBeUndefined();
  });

  it('is a new instance in a new series of the same study and frame of reference', () => {
    const sop = out.string('x00080018')!;
    expect(isValidUid(sop)).toBe(true);
    expect(sop).not.toBe(w.source.sopInstanceUID);
    expect(out.string('x00020003')).toBe(sop);
    expect(out.string('x00020002')).toBe(w.source.sopClassUID);
    expect(out.string('x00080016')).toBe(w.source.sopClassUID);
    expect(out.string('x0020000e')).toBe(w.options.seriesInstanceUID);
    expect(out.intString('x00200011')).toBe(9001);
    expect(out.string('x0020000d')).toBe(w.source.studyInstanceUID);
    expect(out.string('x00200052')).toBe(w.source.frameOfReferenceUID);
    expect(out.intString('x00200013')).toBe(w.source.instanceNumber);
  });

  it('says it is derived, how, and from which source image', () => {
    const sourceType = src.string('x00080008', 2);
    expect([0, 1, 2].map((i) => out.string('x00080008', i))).toEqual(['DERIVED', 'SECONDARY', sourceType]);
    expect(out.numStringValues('x00080008')).toBe(3);
    expect(out.string('x00082111')).toBe(w.options.derivationDescription);
    expect(code(item(out, 'x00089215'))).toEqual(['113085', 'DCM', 'Spatial resampling']);
    const ref = item(out, 'x00082112');
    expect(out.elements['x00082112']!.items).toHaveLength(1);
    expect(ref.string('x00081150')).toBe(w.source.sopClassUID);
    expect(ref.string('x00081155')).toBe(w.source.sopInstanceUID);
    expect(code(item(ref, 'x0040a170'))).toEqual(['121322', 'DCM', 'Source image for image processing operation']);
  });

  it('labels itself as AI super-resolution and NOT FOR DIAGNOSTIC USE', () => {
    const description = out.string('x0008103e')!;
    expect(description.length).toBeLessThanOrEqual(64);
    expect(description).toMatch(/AI super-resolution/);
    expect(description).toMatch(/NOT FOR DIAGNOSTIC USE/);
    expect(out.text('x00204000')).toMatch(/super-resolution.*NOT FOR DIAGNOSTIC USE/);
    const equipment = out.elements['x0018a001']!.items!;
    const ours = equipment[equipment.length - 1]!.dataSet!;
    expect(ours.string('x00080070')).toBe('medsr');
    expect(ours.string('x00181020')).toBe('0.1.0');
    expect(code(item(ours, 'x0040a170'))).toEqual(['109102', 'DCM', 'Processing Equipment']);
  });

  it('dates its creation and content "now", in the source timezone when it declares one', () => {
    // CT_small declares -0500: 05:06:07.089 UTC is 00:06:07.089 there. MR_small declares -0400.
    const expected = name === 'CT_small.dcm' ? ['20260304', '000607.089000'] : ['20260304', '010607.089000'];
    expect([out.string('x00080012'), out.string('x00080013')]).toEqual(expected);
    expect([out.string('x00080023'), out.string('x00080033')]).toEqual(expected);
    expect(out.string('x00080020')).toBe(src.string('x00080020')); // study date untouched
  });

  it('has the scaled size and geometry (IPP at the new first pixel centre)', () => {
    expect(out.uint16('x00280010')).toBe(w.source.pixel.rows * scale);
    expect(out.uint16('x00280011')).toBe(w.source.pixel.columns * scale);
    const expected = scaleGeometry(w.source.geometry, scale);
    floats(out, 'x00280030').forEach((v, i) => expect(Math.abs(v - expected.pixelSpacing![i]!)).toBeLessThan(1e-6));
    const ipp = floats(out, 'x00200032');
    expect(ipp).toHaveLength(3);
    ipp.forEach((v, i) => expect(Math.abs(v - expected.imagePositionPatient![i]!)).toBeLessThan(1e-6));
    expect(floats(out, 'x00200037')).toEqual(floats(src, 'x00200037'));
    expect(out.floatString('x00180050')).toBe(src.floatString('x00180050'));
  });

  it('stores exactly the given pixels in the source representation', () => {
    for (const tag of ['x00280100', 'x00280101', 'x00280102', 'x00280103', 'x00280002']) expect(out.uint16(tag)).toBe(src.uint16(tag));
    expect(out.string('x00280004')).toBe(src.string('x00280004'));
    expect(out.floatString('x00281052')).toBe(src.floatString('x00281052'));
    expect(out.floatString('x00281053')).toBe(src.floatString('x00281053'));
    const readBack = instanceFromBytes(w.bytes, w.path, 'derived');
    expect(firstDifference(decodeUncompressedFrame(readBack).stored, w.frames[0]!)).toBeUndefined();
    const values = Array.from(w.frames[0]!);
    expect(out.int16('x00280106')).toBe(Math.min(...values));
    expect(out.int16('x00280107')).toBe(Math.max(...values));
  });

  it('keeps everything else of the source, private elements included', () => {
    expect(out.string('x00100010')).toBe(src.string('x00100010'));
    expect(out.string('x00100020')).toBe(src.string('x00100020'));
    expect(out.string('x00080070')).toBe(src.string('x00080070'));
    const privateTags = Object.keys(src.elements).filter((t) => parseInt(t.slice(1, 5), 16) % 2 === 1);
    expect(privateTags.filter((t) => !(t in out.elements))).toEqual([]);
    // Window values (MR_small has 600/1600) still overlap the pixels, so they stay.
    expect(out.string('x00281050')).toBe(src.string('x00281050'));
    expect(out.string('x00281051')).toBe(src.string('x00281051'));
  });
});

describe('writeDerived window and statistics', () => {
  it('drops a source window that no longer overlaps the pixels', () => {
    const source = loadCorpusInstance('MR_small.dcm');
    const frames = [new Int32Array(128 * 128).fill(30000)];
    const out = parse(writeDerived(source, frames, srOptions(source, 2)));
    expect(out.elements['x00281050']).toBeUndefined();
    expect(out.elements['x00281051']).toBeUndefined();
    expect(out.int16('x00280106')).toBe(30000);
    expect(out.int16('x00280107')).toBe(30000);
  });
});
