import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DicomInstance } from '../../src/ingest/types';
import { writeDerived } from '../../src/ingest/write-derived';
import { get, put, readDataset, writePart10 } from '../../src/ingest/write-derived-dataset';
import { decodeUncompressedFrame, instanceFromBytes, loadCorpusInstance, PYDICOM_TEST_FILES } from './helpers/corpus-instance';
import { outDir, parse, save, srOptions, upscaledFrames, upscaleStored, firstDifference } from './helpers/derived-fixtures';
import { dciodvfy, dcmdump } from './helpers/dicom-tools';
import { caught } from './helpers/caught';

const OCTAVE_DATA = (() => {
  const root = join(__dirname, '../../.cache/corpus/octave-dicom/usr/share/octave/packages');
  return join(root, readdirSync(root).find((d) => d.startsWith('dicom-'))!, 'imdata');
})();

/** Written file's dciodvfy findings, less what the source file already has (not ours to fix). */
function newFindings(derivedPath: string, sourcePath: string): { errors: string[]; warnings: string[] } {
  const derived = dciodvfy(derivedPath);
  const original = dciodvfy(sourcePath);
  return {
    errors: derived.errors.filter((l) => !original.errors.includes(l)),
    warnings: derived.warnings.filter((l) => !original.warnings.includes(l)),
  };
}

describe('writeDerived from compressed sources', () => {
  it('writes an RLE source uncompressed, same pixels as given, no lossy flag invented', () => {
    const source = loadCorpusInstance('MR_small_RLE.dcm');
    expect(source.pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.5');
    // MR_small*.dcm hold identical pixels in every transfer syntax: take them from the uncompressed one.
    const frames = upscaledFrames(loadCorpusInstance('MR_small.dcm'), 2);
    const bytes = writeDerived(source, frames, srOptions(source, 2));
    const path = save('sr-MR_small_RLE.dcm', bytes);
    expect(newFindings(path, source.ref.path)).toEqual({ errors: [], warnings: [] });
    expect(dcmdump(path).status).toBe(0);
    const out = parse(bytes);
    expect(out.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(out.elements['x7fe00010']!.encapsulatedPixelData).toBeFalsy();
    expect(out.elements['x00282110']).toBeUndefined();
    expect(firstDifference(decodeUncompressedFrame(instanceFromBytes(bytes, path, 'derived')).stored, frames[0]!)).toBeUndefined();
  });

  it('writes an Implicit VR source with US/SS-by-representation values in the right VR', () => {
    const implicitPath = join(outDir, 'CT_small-implicit.dcm');
    expect(spawnSync('dcmconv', ['+ti', join(PYDICOM_TEST_FILES, 'CT_small.dcm'), implicitPath]).status).toBe(0);
    const source = loadCorpusInstance('CT_small-implicit.dcm', outDir);
    expect(source.pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2');
    const frames = upscaledFrames(loadCorpusInstance('CT_small.dcm'), 2);
    const bytes = writeDerived(source, frames, srOptions(source, 2));
    const path = save('sr-CT_small-implicit.dcm', bytes);
    expect(newFindings(path, join(PYDICOM_TEST_FILES, 'CT_small.dcm'))).toEqual({ errors: [], warnings: [] });
    const out = parse(bytes);
    expect(out.elements['x00280120']!.vr).toBe('SS');
    expect(out.int16('x00280120')).toBe(-2000);
  });

  it('keeps LossyImageCompression "01" (and its history) from a lossy JPEG source', () => {
    const source = loadCorpusInstance('JPEG-lossy.dcm');
    const { rows, columns } = source.pixel;
    const ramp = Int32Array.from({ length: rows * columns }, (_, i) => i % 4096);
    const frames = [upscaleStored(ramp, rows, columns, 2, [0, 4095])];
    const bytes = writeDerived(source, frames, srOptions(source, 2));
    const path = save('sr-JPEG-lossy.dcm', bytes);
    expect(newFindings(path, source.ref.path).errors).toEqual([]);
    expect(dcmdump(path).status).toBe(0);
    const out = parse(bytes);
    expect(out.string('x00020010')).toBe('1.2.840.10008.1.2.1');
    expect(out.string('x00282110')).toBe('01');
    expect(out.string('x00282112')).toBe(parse(source.bytes).string('x00282112'));
    expect([out.uint16('x00280101'), out.uint16('x00280102'), out.uint16('x00280103')]).toEqual([12, 11, 0]);
    expect(out.intString('x00280008')).toBe(1);
  });

  it('marks a source as lossy when its transfer syntax may be lossy and it does not say otherwise', () => {
    const mr = loadCorpusInstance('MR_small.dcm');
    const claimsJ2k: DicomInstance = { ...mr, pixel: { ...mr.pixel, transferSyntaxUID: '1.2.840.10008.1.2.4.91' } };
    const out = parse(writeDerived(claimsJ2k, upscaledFrames(mr, 2), srOptions(mr, 2)));
    expect(out.string('x00282110')).toBe('01');
    expect(out.string('x00282114')).toBe('ISO_15444_1');
  });
});

describe('writeDerived from other greyscale sources', () => {
  it('repairs ACR-NEMA era dates (1993.04.30) of a real 512x512 CT so the derived file can be written', () => {
    const source = loadCorpusInstance('CT-MONO2-16-ankle.dcm', OCTAVE_DATA);
    const bytes = writeDerived(source, upscaledFrames(source, 2), srOptions(source, 2));
    const path = save('sr-ankle-ct.dcm', bytes);
    expect(dcmdump(path).status).toBe(0);
    // the source lacks Type 2 patient/study attributes; the derived file adds them empty
    expect(dciodvfy(path).errors.filter((l) => /Type 2 Required|invalid for this VR/.test(l))).toEqual([]);
    const ds = parse(bytes);
    expect(ds.string('x00080020')).toMatch(/^\d{8}$/); // StudyDate
    expect(ds.uint16('x00280010')).toBe(1024);
  });

  it('keeps an 8-bit MONOCHROME1 representation (OB pixel data)', () => {
    const source = loadCorpusInstance('simple-test.dcm', OCTAVE_DATA);
    expect([source.pixel.photometricInterpretation, source.pixel.bitsAllocated]).toEqual(['MONOCHROME1', 8]);
    const frames = upscaledFrames(source, 2);
    const bytes = writeDerived(source, frames, srOptions(source, 2));
    const path = save('sr-simple-test.dcm', bytes);
    expect(newFindings(path, source.ref.path).errors).toEqual([]);
    expect(dcmdump(path).status).toBe(0);
    const out = parse(bytes);
    expect(out.string('x00280004')).toBe('MONOCHROME1');
    expect(out.elements['x7fe00010']!.vr).toBe('OB');
    expect(out.uint16('x00280100')).toBe(8);
    expect(firstDifference(decodeUncompressedFrame(instanceFromBytes(bytes, path, 'derived')).stored, frames[0]!)).toBeUndefined();
  });

  it('keeps non-ASCII text, re-encoded as UTF-8 and declared ISO_IR 192 (dcmjs writes UTF-8)', () => {
    // Same-length byte patch of PatientName to Latin-1 text (the file declares ISO_IR 100).
    const bytes = readFileSync(join(PYDICOM_TEST_FILES, 'CT_small.dcm'));
    const at = bytes.indexOf('CompressedSamples^CT1 ', 0, 'latin1');
    Buffer.from('M\u00fcller^J\u00fcrgen'.padEnd(22, ' '), 'latin1').copy(bytes, at);
    writeFileSync(join(outDir, 'CT_small-latin1.dcm'), bytes);
    const source = loadCorpusInstance('CT_small-latin1.dcm', outDir);
    expect(parse(source.bytes).string('x00080005')).toBe('ISO_IR 100');
    const out = parse(writeDerived(source, upscaledFrames(source, 2), srOptions(source, 2)));
    expect(out.string('x00080005')).toBe('ISO_IR 192');
    const name = out.elements['x00100010']!;
    expect(Buffer.from(out.byteArray.subarray(name.dataOffset, name.dataOffset + name.length)).toString('utf8').trim()).toBe('M\u00fcller^J\u00fcrgen');
  });

  it("drops the source's icon (a thumbnail of other pixels)", () => {
    const source = loadCorpusInstance('simpleImageWithIcon.dcm', OCTAVE_DATA);
    expect(parse(source.bytes).elements['x00880200']).toBeDefined();
    const bytes = writeDerived(source, upscaledFrames(source, 2), srOptions(source, 2));
    const path = save('sr-simpleImageWithIcon.dcm', bytes);
    expect(parse(bytes).elements['x00880200']).toBeUndefined();
    // The source's own icon error goes away with the icon.
    expect(dciodvfy(path).errors.filter((l) => /IconImageSequence/.test(l))).toEqual([]);
  });

  it('writes every frame of a multi-frame source and keeps NumberOfFrames', () => {
    // The corpus has no multi-frame CT/MR: make a 3-frame variant of CT_small, frames differing.
    const ct = loadCorpusInstance('CT_small.dcm');
    const { dict, meta } = readDataset(ct.bytes, 'CT_small.dcm');
    const one = decodeUncompressedFrame(ct).stored;
    const pixels = new Int16Array(one.length * 3);
    for (let f = 0; f < 3; f++) for (let i = 0; i < one.length; i++) pixels[f * one.length + i] = one[i]! + 10 * f;
    put(dict, 'NumberOfFrames', [3]);
    put(dict, 'PixelData', [pixels.buffer], 'OW');
    const multiPath = save('multi-ct-source.dcm', writePart10(meta, dict, 'multi-ct-source.dcm'));
    const multi = instanceFromBytes(readFileSync(multiPath), multiPath, 'multi-ct.dcm');
    expect(multi.pixel.frames).toBe(3);
    const frames = upscaledFrames(multi, 2);
    const bytes = writeDerived(multi, frames, srOptions(multi, 2));
    const path = save('sr-multi-ct.dcm', bytes);
    expect(dcmdump(path).status).toBe(0);
    // Legacy CT has no NumberOfFrames, so dciodvfy objects to the made-up source; to nothing more here.
    expect(newFindings(path, multiPath)).toEqual({ errors: [], warnings: [] });
    const readBack = instanceFromBytes(bytes, path, 'derived');
    expect(readBack.pixel.frames).toBe(3);
    for (let f = 0; f < 3; f++) expect(firstDifference(decodeUncompressedFrame(readBack, f).stored, frames[f]!)).toBeUndefined();
    expect(get(readDataset(bytes, 'derived').dict, 'NumberOfFrames')).toEqual([3]);
  });
});

describe('writeDerived refuses what it cannot write faithfully', () => {
  const mr = loadCorpusInstance('MR_small.dcm');
  const frames = upscaledFrames(mr, 2);

  it('checks sizes, frame count, UIDs and representation options', () => {
    expect(caught(() => writeDerived(mr, frames, srOptions(mr, 2, { rows: 127 }))).code).toBe('derived.options');
    expect(caught(() => writeDerived(mr, [...frames, frames[0]!], srOptions(mr, 2))).code).toBe('derived.options');
    expect(caught(() => writeDerived(mr, [frames[0]!.subarray(1)], srOptions(mr, 2))).code).toBe('derived.options');
    expect(caught(() => writeDerived(mr, frames, srOptions(mr, 2, { seriesInstanceUID: '1.02.3' }))).code).toBe('derived.options');
    expect(caught(() => writeDerived(mr, frames, srOptions(mr, 2, { kind: 'uncertainty' }))).message).toMatch(/pixelRepresentation/);
    const rep = { bitsStored: 16, signed: false, rescaleSlope: 1, rescaleIntercept: 0 };
    expect(caught(() => writeDerived(mr, frames, srOptions(mr, 2, { pixelRepresentation: rep }))).message).toMatch(/keeps the source representation/);
    const scaled = { ...rep, rescaleSlope: 0.5 };
    expect(caught(() => writeDerived(mr, frames, srOptions(mr, 2, { kind: 'uncertainty', pixelRepresentation: scaled }))).message).toMatch(/no Modality LUT/);
  });

  it('refuses stored values outside the representation instead of wrapping them', () => {
    const bad = Int32Array.from(frames[0]!);
    bad[5] = 40000; // int16 cannot hold it
    const err = caught(() => writeDerived(mr, [bad], srOptions(mr, 2)));
    expect(err.code).toBe('derived.pixel_range');
    expect(err.message).toMatch(/value 40000 at 5/);
  });

  it('refuses colour sources', () => {
    const rgb = loadCorpusInstance('SC_rgb_small_odd.dcm');
    const size = rgb.pixel.rows * 2 * rgb.pixel.columns * 2;
    const err = caught(() => writeDerived(rgb, [new Int32Array(size)], srOptions(rgb, 2)));
    expect([err.kind, err.code]).toEqual(['unsupported', 'pixels.colour']);
  });
});
