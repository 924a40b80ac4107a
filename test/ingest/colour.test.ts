/**
 * Colour frames leave ingest interleaved RGB whatever their layout: planar or interleaved native
 * data, RLE (one segment per plane), JPEG-LS in each interleave mode.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { decodeFrame } from '../../src/ingest';
import { decodeAll, gdcmRaw, makeTempDir, maxAbsDifference, pydicom, readFileInstance } from './helpers';

const tmp = makeTempDir();
const out = (name: string): string => path.join(tmp, name);

let interleaved: string;
let reference: Int32Array;
beforeAll(async () => {
  interleaved = gdcmRaw(pydicom('SC_rgb_rle.dcm'), tmp); // 100 x 100 RGB test pattern, native
  [reference] = (await decodeAll(interleaved)) as [Int32Array];
});

it('reads planar configuration 1 as interleaved RGB', async () => {
  const planar = out('planar.dcm');
  execFileSync('gdcmconv', ['--raw', '--planar-configuration', '1', pydicom('SC_rgb_rle.dcm'), planar]);
  // GDCM reorders the data but leaves the attribute at 0: set it, as the data now is
  execFileSync('dcmodify', ['-nb', '-m', '(0028,0006)=1', planar]);
  expect(readFileInstance(planar).pixel.planarConfiguration).toBe(1);
  expect(fs.readFileSync(planar).subarray(-30000, -29997)).toEqual(Buffer.from([0xff, 0xff, 0xff])); // R plane first
  const frame = await decodeFrame(readFileInstance(planar), 0);
  expect(frame.photometricInterpretation).toBe('RGB');
  expect(maxAbsDifference(frame.stored, reference)).toBe(0);
  // and big endian planar, and RLE made from planar data
  for (const [tool, args, name] of [['dcmconv', ['+tb'], 'planar-be.dcm'], ['dcmcrle', [], 'planar-rle.dcm']] as const) {
    execFileSync(tool, [...args, planar, out(name)]);
    const [f] = await decodeAll(out(name));
    expect({ name, diff: maxAbsDifference(f!, reference) }).toEqual({ name, diff: 0 });
  }
});

it.each([
  ['+in', 'uninterleaved'],
  ['+il', 'line-interleaved'],
  ['+is', 'sample-interleaved'],
])('reads %s (%s) JPEG-LS colour as interleaved RGB', async (mode) => {
  const file = out(`jls${mode}.dcm`);
  execFileSync('dcmcjpls', [mode, interleaved, file]);
  const [frame] = await decodeAll(file);
  expect(maxAbsDifference(frame!, reference)).toBe(0);
});

it('converts native YBR_FULL to RGB', async () => {
  // DCMTK keeps YBR_FULL when it decodes a YBR_FULL JPEG: the same image, before and after colour conversion
  const ybr = out('ybr-full.dcm');
  execFileSync('dcmdjpeg', ['+cn', pydicom('SC_rgb_dcmtk_+eb+cy+n1.dcm'), ybr]);
  expect(readFileInstance(ybr).pixel.photometricInterpretation).toBe('YBR_FULL');
  const frame = await decodeFrame(readFileInstance(ybr), 0);
  expect(frame.photometricInterpretation).toBe('RGB');
  const rgb = out('rgb.dcm');
  execFileSync('dcmdjpeg', ['+ca', pydicom('SC_rgb_dcmtk_+eb+cy+n1.dcm'), rgb]);
  const [viaDcmtk] = await decodeAll(rgb);
  expect(maxAbsDifference(frame.stored, viaDcmtk!)).toBeLessThanOrEqual(1);
});
