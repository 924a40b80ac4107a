/**
 * A real 512 x 512 CT slice and a real 4-frame XA, converted by DCMTK and GDCM into every
 * transfer syntax medsr reads: lossless variants must give back the original stored values
 * exactly, lossy ones what GDCM decodes from the same codestream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame, readDicomBytes } from '../../src/ingest';
import { GDCM_XA, OCTAVE, buildDicom, encodeRle8, convert, corpusFile, decodeAll, gdcmRaw, makeTempDir, maxAbsDifference, readFileInstance } from './helpers';

const tmp = makeTempDir();
const ankle = corpusFile(OCTAVE, 'CT-MONO2-16-ankle.dcm');
const out = (name: string): string => path.join(tmp, name);

let original: Int32Array;
beforeAll(async () => {
  [original] = (await decodeAll(ankle)) as [Int32Array];
  // the native reading is itself checked against GDCM
  const [gdcm] = await decodeAll(gdcmRaw(ankle, tmp));
  expect(maxAbsDifference(original, gdcm!)).toBe(0);
});

const lossless: Array<[string, string, string[], string]> = [
  ['explicit big endian', 'dcmconv', ['+tb'], '1.2.840.10008.1.2.2'],
  ['implicit little endian', 'dcmconv', ['+ti'], '1.2.840.10008.1.2'],
  ['deflated', 'dcmconv', ['+td'], '1.2.840.10008.1.2.1.99'],
  ['RLE', 'dcmcrle', [], '1.2.840.10008.1.2.5'],
  ['JPEG lossless SV1', 'dcmcjpeg', ['+e1'], '1.2.840.10008.1.2.4.70'],
  ['JPEG lossless process 14, predictor 6', 'dcmcjpeg', ['+el', '+sv', '6'], '1.2.840.10008.1.2.4.57'],
  ['JPEG-LS lossless', 'dcmcjpls', ['+el'], '1.2.840.10008.1.2.4.80'],
  ['JPEG 2000 lossless', 'gdcmconv', ['--j2k'], '1.2.840.10008.1.2.4.90'],
];

describe.each(lossless)('%s', (_name, tool, args, uid) => {
  it('gives back the original stored values exactly', async () => {
    const file = out(`ankle-${uid}.dcm`);
    convert(tool, tool === 'gdcmconv' ? [...args, ankle, file] : [...args, ankle, file], file);
    const instance = readFileInstance(file);
    expect(instance.pixel.transferSyntaxUID).toBe(uid);
    const frame = await decodeFrame(instance, 0);
    expect(maxAbsDifference(frame.stored, original)).toBe(0);
  });
});

describe('lossy codestreams', () => {
  it('JPEG-LS near-lossless (NEAR 3) stays within 3 and equals GDCM', async () => {
    // DCMTK refuses near-lossless for signed pixels; GDCM writes it
    const file = convert('gdcmconv', ['--jpegls', '--lossy', '-e', '3', ankle, out('ankle-nl.dcm')], out('ankle-nl.dcm'));
    const [ours] = await decodeAll(file);
    expect(readFileInstance(file).pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.81');
    expect(maxAbsDifference(ours!, original)).toBeLessThanOrEqual(3);
    expect(maxAbsDifference(ours!, original)).toBeGreaterThan(0);
    const [gdcm] = await decodeAll(gdcmRaw(file, tmp));
    expect(maxAbsDifference(ours!, gdcm!)).toBe(0);
  });

  it('JPEG 2000 lossy equals GDCM', async () => {
    const file = convert('gdcmconv', ['--j2k', '--lossy', '-q', '30', ankle, out('ankle-j2k-lossy.dcm')], out('ankle-j2k-lossy.dcm'));
    expect(readFileInstance(file).pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.91');
    const [ours] = await decodeAll(file);
    expect(maxAbsDifference(ours!, original)).toBeGreaterThan(0);
    const [gdcm] = await decodeAll(gdcmRaw(file, tmp));
    expect(maxAbsDifference(ours!, gdcm!)).toBe(0);
  });
});

describe('multi-frame', () => {
  it.each([
    ['JPEG 2000', ['--j2k']],
    ['RLE', ['--rle']],
    ['JPEG-LS', ['--jpegls']],
  ])('4-frame XA as %s gives every frame back', async (_name, args) => {
    const reference = await decodeAll(gdcmRaw(corpusFile(GDCM_XA), tmp));
    const file = out(`xa-${args[0]}.dcm`);
    convert('gdcmconv', [...args, corpusFile(GDCM_XA), file], file);
    const frames = await decodeAll(file);
    expect(frames).toHaveLength(4);
    frames.forEach((f, i) => expect(maxAbsDifference(f, reference[i]!)).toBe(0));
    // frames differ from each other: no frame is decoded from the wrong fragments
    expect(maxAbsDifference(frames[0]!, frames[3]!)).toBeGreaterThan(0);
  });
});

describe('file envelopes', () => {
  it('reads a data set written without preamble and file meta (implicit VR little endian)', async () => {
    const file = out('ankle-nometa.dcm');
    convert('dcmconv', ['-F', '+ti', ankle, file], file);
    const bytes = fs.readFileSync(file);
    expect(bytes.toString('latin1', 128, 132)).not.toBe('DICM');
    const instance = readDicomBytes(new Uint8Array(bytes), { path: file, label: file });
    expect(instance.pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2');
    expect(maxAbsDifference((await decodeFrame(instance, 0)).stored, original)).toBe(0);
  });

  it('reads an explicit VR data set without file meta', async () => {
    const file = out('ankle-nometa-explicit.dcm');
    convert('dcmconv', ['-F', '+te', ankle, file], file);
    const instance = readFileInstance(file);
    expect(instance.pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(maxAbsDifference((await decodeFrame(instance, 0)).stored, original)).toBe(0);
  });

  it('reads file meta without the 128-byte preamble', async () => {
    const bytes = fs.readFileSync(ankle).subarray(132);
    const instance = readDicomBytes(new Uint8Array(bytes), { path: 'x', label: 'no-preamble' });
    expect(maxAbsDifference((await decodeFrame(instance, 0)).stored, original)).toBe(0);
  });
});

describe('frame boundaries', () => {
  it('finds frames split over several fragments through the Basic or the Extended Offset Table', async () => {
    const [rows, columns] = [16, 20];
    const frames = [0, 1, 2].map((f) => Uint8Array.from({ length: rows * columns }, (_, i) => (i * 7 + f * 50) % 256));
    const fragments: Uint8Array[] = [];
    const offsets: number[] = [];
    let offset = 0;
    for (const frame of frames) {
      offsets.push(offset);
      const rle = encodeRle8(frame);
      const cut = 100; // two fragments per frame: the frame boundary is not visible in the fragments
      for (const part of [rle.subarray(0, cut), rle.subarray(cut)]) {
        fragments.push(part);
        offset += 8 + part.length + (part.length % 2);
      }
    }
    const base = { transferSyntaxUID: '1.2.840.10008.1.2.5', rows, columns, frames: 3, bitsAllocated: 8, pixelData: fragments };
    const withBot = readDicomBytes(new Uint8Array(buildDicom({ ...base, basicOffsets: offsets })), { path: 'bot', label: 'bot' });
    for (let f = 0; f < 3; f++) expect(Array.from((await decodeFrame(withBot, f)).stored)).toEqual(Array.from(frames[f]!));
    // the Extended Offset Table is OV, a VR dicom-parser 1.8 does not know: read all the same
    const eotBytes = new Uint8Array(buildDicom({ ...base, extendedOffsets: offsets }));
    const withEot = readDicomBytes(eotBytes, { path: 'eot', label: 'eot' });
    for (let f = 0; f < 3; f++) expect(Array.from((await decodeFrame(withEot, f)).stored)).toEqual(Array.from(frames[f]!));
    expect(Buffer.from(withEot.bytes).includes(Buffer.from('OV'))).toBe(true); // the caller's bytes are untouched
    // without the table, the boundaries cannot be known: a typed error, not a wrong frame
    const blind = readDicomBytes(new Uint8Array(buildDicom(base)), { path: 'no-eot', label: 'no-eot' });
    await expect(decodeFrame(blind, 1)).rejects.toMatchObject({ code: 'pixel.frame_boundaries' });
  });
});

describe('HTJ2K', () => {
  it('decodes an HTJ2K lossless codestream (made with the OpenJPH encoder) exactly', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const factory = require('@cornerstonejs/codec-openjph') as () => Promise<{ HTJ2KEncoder: new () => HtEncoder }>;
    const codec = await factory();
    const encoder = new codec.HTJ2KEncoder();
    const [rows, columns] = [512, 512];
    const raw = encoder.getDecodedBuffer({ width: columns, height: rows, bitsPerSample: 16, componentCount: 1, isSigned: false, isUsingColorTransform: false });
    new Uint16Array(raw.buffer, raw.byteOffset, rows * columns).set(original);
    encoder.encode();
    const encoded = encoder.getEncodedBuffer().slice();
    const bytes = buildDicom({ transferSyntaxUID: '1.2.840.10008.1.2.4.201', rows, columns, bitsAllocated: 16, bitsStored: 16, pixelData: [encoded] });
    const instance = readDicomBytes(new Uint8Array(bytes), { path: 'htj2k', label: 'htj2k' });
    expect(maxAbsDifference((await decodeFrame(instance, 0)).stored, original)).toBe(0);
  });
});

interface HtEncoder {
  getDecodedBuffer(info: object): Uint8Array;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
}
