import fs from 'node:fs';
import * as dicomParser from 'dicom-parser';
import path from 'node:path';
import { decodeFrame, readDicomBytes, transcodeToNative } from '../../src/ingest';
import { MedsrError } from '../../src/shared/errors';
import { makeTempDir, pydicom, readFileInstance } from './helpers';
import { dciodvfy } from './helpers/dicom-tools';

const tmp = makeTempDir('medsr-transcode-');

describe('transcodeToNative', () => {
  it.each(['MR_small_jpeg_ls_lossless.dcm', 'MR_small_jp2klossless.dcm', 'MR_small_RLE.dcm', 'MR_small_bigendian.dcm'])(
    'gives %s back uncompressed, same instance, same stored values, valid DICOM',
    async (name) => {
      const source = readFileInstance(pydicom(name));
      const bytes = await transcodeToNative(source);
      const out = readDicomBytes(bytes, { path: 'native', label: `${name} native` });
      expect(out.pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.1');
      expect(out.sopInstanceUID).toBe(source.sopInstanceUID);
      const [a, b] = [await decodeFrame(source, 0), await decodeFrame(out, 0)];
      expect(Buffer.from(b.stored.buffer).equals(Buffer.from(a.stored.buffer))).toBe(true);
      const file = path.join(tmp, `${name}.native.dcm`);
      fs.writeFileSync(file, bytes);
      const sourceErrors = new Set(dciodvfy(pydicom(name)).errors);
      expect(dciodvfy(file).errors.filter((e) => !sourceErrors.has(e))).toEqual([]);
    },
  );

  it('returns uncompressed little-endian input as it is', async () => {
    const source = readFileInstance(pydicom('CT_small.dcm'));
    expect(await transcodeToNative(source)).toBe(source.bytes);
  });

  it('marks a lossy source as lossy in its uncompressed copy', async () => {
    const source = readFileInstance(pydicom('JPEG-lossy.dcm'));
    const bytes = await transcodeToNative(source);
    expect(readDicomBytes(bytes, { path: 'native', label: 'native' }).pixel.transferSyntaxUID).toBe('1.2.840.10008.1.2.1');
    expect(dicomParser.parseDicom(bytes).string('x00282110')).toBe('01'); // LossyImageCompression
  });

  it('refuses colour with a typed error', async () => {
    const source = readFileInstance(pydicom('SC_rgb_rle.dcm'));
    await expect(transcodeToNative(source)).rejects.toBeInstanceOf(MedsrError);
  });
});
