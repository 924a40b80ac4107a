/**
 * medsr's decoders against an independent one: GDCM decodes each compressed corpus file to
 * native pixel data (`gdcmconv --raw`), and both must give the same stored values (exactly for
 * lossless codestreams, within 1 for lossy JPEG where IDCT implementations may round apart).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../src/ingest';
import type { MedsrError } from '../../src/shared/errors';
import { CORPUS, GDCM_XA, OCTAVE, corpusFile, dcmtkRaw, decodeAll, gdcmRaw, makeTempDir, maxAbsDifference, pydicom, readFileInstance } from './helpers';

const tmp = makeTempDir();

async function expectMatchesGdcm(file: string, tolerance: number): Promise<void> {
  await expectMatches(file, gdcmRaw(file, tmp), tolerance);
}

async function expectMatches(file: string, reference: string, tolerance: number): Promise<void> {
  const ours = await decodeAll(file);
  const theirs = await decodeAll(reference);
  expect(ours.length).toBe(theirs.length);
  ours.forEach((frame, i) => {
    expect(frame.length).toBe(theirs[i]!.length);
    expect(maxAbsDifference(frame, theirs[i]!)).toBeLessThanOrEqual(tolerance);
  });
}

describe('lossless codestreams decode exactly as GDCM decodes them', () => {
  const files = [
    'MR_small_RLE.dcm', // RLE 16-bit
    'MR_small_jp2klossless.dcm', // JPEG 2000 lossless
    'MR_small_jpeg_ls_lossless.dcm', // JPEG-LS lossless
    'SC_rgb_jpeg_gdcm.dcm', // JPEG lossless SV1, colour
    'SC_rgb_rle.dcm',
    'SC_rgb_rle_2frame.dcm', // multi-frame colour RLE
    'rtdose_rle.dcm', // 32-bit, 15 frames
    'GDCMJ2K_TextGBR.dcm', // JPEG 2000 lossless with RCT
  ];
  it.each(files)('%s', async (name) => expectMatchesGdcm(pydicom(name), 0));

  // GDCM 3.0 gets these wrong (byte order of 16-bit colour RLE); DCMTK is the reference
  it.each(['SC_rgb_rle_16bit.dcm', 'SC_rgb_rle_16bit_2frame.dcm', 'MR_small_RLE.dcm'])('%s as DCMTK decodes it', async (name) => {
    await expectMatches(pydicom(name), dcmtkRaw(pydicom(name), tmp, 'dcmdrle'), 0);
  });

  it('00191113.dcm (XA, 4 frames, JPEG lossless)', async () => expectMatchesGdcm(corpusFile(GDCM_XA), 0));
  it('US-PAL-8-10x-echo.dcm (RLE palette colour, 10 frames: indices)', async () => {
    const file = corpusFile(OCTAVE, 'US-PAL-8-10x-echo.dcm');
    await expectMatchesGdcm(file, 0);
    const frame = await decodeFrame(readFileInstance(file), 9);
    expect(frame.photometricInterpretation).toBe('PALETTE COLOR');
    expect(frame.samplesPerPixel).toBe(1);
  });
});

describe('lossy codestreams decode as GDCM decodes them', () => {
  it.each(['693_J2KI.dcm', 'JPEG2000.dcm', 'SC_rgb_gdcm_KY.dcm'])('JPEG 2000 %s exactly', async (name) => expectMatchesGdcm(pydicom(name), 0));
  it.each([
    'SC_rgb_jpeg_dcmtk.dcm',
    'SC_rgb_jpeg_lossy_gdcm.dcm',
    'SC_rgb_dcmtk_+eb+cr.dcm',
    'SC_rgb_dcmtk_+eb+cy+n1.dcm',
    'SC_rgb_dcmtk_+eb+cy+s2.dcm',
    'SC_jpeg_no_color_transform.dcm', // RGB components without JFIF/Adobe markers
    'SC_jpeg_no_color_transform_2.dcm',
    'SC_rgb_small_odd_jpeg.dcm',
  ])('JPEG baseline %s within 1', async (name) => expectMatchesGdcm(pydicom(name), 1));
  it.each(['SC_rgb_jpeg_dcmtk.dcm', 'SC_jpeg_no_color_transform.dcm'])('JPEG baseline %s within 1 of DCMTK', async (name) => {
    await expectMatches(pydicom(name), dcmtkRaw(pydicom(name), tmp, 'dcmdjpeg'), 1);
  });
});

describe('one image in eight encodings', () => {
  const variants = [
    'MR_small.dcm',
    'MR_small_implicit.dcm',
    'MR_small_bigendian.dcm',
    'MR_small_expb.dcm',
    'MR_small_padded.dcm',
    'MR_small_RLE.dcm',
    'MR_small_jp2klossless.dcm',
    'MR_small_jpeg_ls_lossless.dcm',
  ];
  it('gives identical signed stored values in every transfer syntax', async () => {
    const [reference] = await decodeAll(pydicom('MR_small.dcm'));
    expect(reference!.length).toBe(64 * 64);
    for (const name of variants) {
      const [frame] = await decodeAll(pydicom(name));
      expect({ name, same: maxAbsDifference(frame!, reference!) }).toEqual({ name, same: 0 });
    }
    // the reference itself against GDCM's reading of the same file
    const [gdcm] = await decodeAll(gdcmRaw(pydicom('MR_small.dcm'), tmp));
    expect(maxAbsDifference(reference!, gdcm!)).toBe(0);
  });
});

describe('12-bit lossy JPEG (process 4), decoded by medsr\'s own T.81 decoder', () => {
  it.each(['JPGExtended.dcm', 'JPEG-lossy.dcm'])('%s within 1 of GDCM and of DCMTK', async (name) => {
    expect(readFileInstance(pydicom(name)).pixel.bitsStored).toBe(12);
    await expectMatchesGdcm(pydicom(name), 1);
    await expectMatches(pydicom(name), dcmtkRaw(pydicom(name), tmp, 'dcmdjpeg'), 1);
  });

  it('a real 12-bit MR compressed by dcmcjpeg +ee, within 1 of GDCM', async () => {
    const source = corpusFile(CORPUS, 'dicomnifti/usr/share/doc/dicomnifti/examples/0001.dcm');
    const file = path.join(tmp, 'mr-12bit-extended.dcm');
    execFileSync('dcmcjpeg', ['+ee', source, file]);
    expect(readFileInstance(file).pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.4.51');
    await expectMatchesGdcm(file, 1);
  });
});

describe('pixel semantics', () => {
  it('masks to BitsStored at HighBit and sign-extends signed pixels', async () => {
    // CT_small as 12 bits stored in the upper bits of each word (HighBit 15), two's complement,
    // with garbage in the 4 low bits that must be masked away
    const source = fs.readFileSync(pydicom('CT_small.dcm'));
    const pixels = 128 * 128;
    const file = path.join(tmp, 'ct-signed-12.dcm');
    const copy = Buffer.from(source);
    // explicit VR little endian: tag (7FE0,0010), 'OW', 2 reserved bytes, 4-byte length, value
    const start = source.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x57])) + 12;
    for (let i = 0; i < pixels; i++) copy.writeUInt16LE(((source.readUInt16LE(start + 2 * i) & 0xfff) << 4) | (i % 16), start + 2 * i);
    fs.writeFileSync(file, copy);
    execFileSync('dcmodify', ['-nb', '-m', '(0028,0101)=12', '-m', '(0028,0102)=15', '-m', '(0028,0103)=1', file]);
    const [ours] = await decodeAll(file);
    const expected = Int32Array.from({ length: pixels }, (_, i) => {
      const v = source.readUInt16LE(start + 2 * i) & 0xfff;
      return v >= 2048 ? v - 4096 : v;
    });
    expect(maxAbsDifference(ours!, expected)).toBe(0);
    expect(Math.min(...ours!)).toBeLessThan(0);
  });

  it('unpacks 1-bit pixels identically in little and big endian files', async () => {
    const [le] = await decodeAll(pydicom('liver_1frame.dcm'));
    const [be] = await decodeAll(pydicom('liver_expb_1frame.dcm'));
    expect(maxAbsDifference(le!, be!)).toBe(0);
    expect(new Set(le!)).toEqual(new Set([0, 1]));
  });

  it('expands native YBR_FULL_422 and converts it to RGB like GDCM', async () => {
    const file = pydicom('SC_ybr_full_422_uncompressed.dcm');
    const frame = await decodeFrame(readFileInstance(file), 0);
    expect(frame.photometricInterpretation).toBe('RGB');
    expect(frame.stored.length).toBe(100 * 100 * 3);
    // GDCM cannot convert native YBR_FULL_422; DCMTK's decode of the same image as 4:2:2 JPEG is
    // the reference. libjpeg interpolates chroma where 4:2:2 storage repeats it, so edges differ.
    const [viaJpeg] = await decodeAll(dcmtkRaw(pydicom('SC_rgb_dcmtk_+eb+cy+np.dcm'), tmp, 'dcmdjpeg'));
    let close = 0;
    let total = 0;
    frame.stored.forEach((v, i) => {
      const d = Math.abs(v - viaJpeg![i]!);
      total += d;
      if (d <= 2) close += 1;
    });
    expect(close / frame.stored.length).toBeGreaterThan(0.8);
    expect(total / frame.stored.length).toBeLessThan(4);
    // pure red stays red: the conversion is not a channel swap or a missing offset
    expect(Array.from(frame.stored.subarray(0, 3))).toEqual([254, 0, 0]);
  });

  it('reads MONOCHROME1 as stored (inversion is a transform step, not a decode step)', async () => {
    const file = corpusFile(OCTAVE, 'simple-test.dcm');
    const frame = await decodeFrame(readFileInstance(file), 0);
    expect(frame.photometricInterpretation).toBe('MONOCHROME1');
    const [gdcm] = await decodeAll(gdcmRaw(file, tmp));
    expect(maxAbsDifference(frame.stored, gdcm!)).toBe(0);
  });

  it('refuses a frame index out of range', async () => {
    const instance = readFileInstance(pydicom('MR_small.dcm'));
    await expect(decodeFrame(instance, 1)).rejects.toMatchObject({ code: 'pixel.bad_frame_index' });
  });

  it('reports a corrupt codestream as codec.corrupt naming the file', async () => {
    const bytes = fs.readFileSync(pydicom('MR_small_jpeg_ls_lossless.dcm'));
    const broken = Buffer.from(bytes);
    // overwrite the middle of the JPEG-LS scan with noise, keeping the headers
    for (let i = broken.length - 1500; i < broken.length - 200; i += 3) broken[i] = 0xff;
    const file = path.join(tmp, 'broken-jls.dcm');
    fs.writeFileSync(file, broken);
    const error = await decodeFrame(readFileInstance(file), 0).then(
      () => undefined,
      (e: MedsrError) => e,
    );
    // 0xFF runs are markers where JPEG-LS data may not have them: the decoder must notice
    expect(error?.code).toBe('codec.corrupt');
    expect(error?.details.file).toBe(file);
    // and the codec still works for the next, intact frame
    const [intact] = await decodeAll(pydicom('MR_small_jpeg_ls_lossless.dcm'));
    const [reference] = await decodeAll(pydicom('MR_small.dcm'));
    expect(maxAbsDifference(intact!, reference!)).toBe(0);
  });
});
