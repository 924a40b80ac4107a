import fs from 'node:fs';
import { decodeFrame, readDicomBytes } from '../../src/ingest';
import { storedValuesPng } from '../../src/service/png';
import type { SliceProcessor } from '../../src/service/ports';
import { createSliceUpscaler } from '../../src/service/upscale-slice';
import { createNearestProcessor } from './helpers/nearest-processor';
import { CT_SMALL, MR_SMALL } from './helpers/replicating-processor';

describe('createSliceUpscaler (the one-slice use case of POST /api/v1/upscale)', () => {
  const upscaleSlice = createSliceUpscaler(createNearestProcessor());

  it.each([
    ['MR_small (signed 16-bit)', MR_SMALL],
    ['CT_small (with a rescale)', CT_SMALL],
  ])('makes the PNG of %s from the frames in memory, identical to decoding the derived DICOM it wrote', async (_name, file) => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const dicom = await upscaleSlice(bytes, { scale: 2, seed: 1 }, { format: 'dicom' });
    const png = await upscaleSlice(bytes, { scale: 2, seed: 1 }, { format: 'png' });
    if (dicom.format !== 'dicom' || png.format !== 'png') throw new Error('wrong format');
    // the independent expectation: parse and decode what was written, the way the route once did
    const derived = readDicomBytes(dicom.body, { path: 'derived', label: 'derived' });
    const expected = storedValuesPng(await decodeFrame(derived, 0), derived.pixel);
    expect(png.valueOffset).toBe(expected.valueOffset);
    expect(Buffer.compare(png.body, expected.png)).toBe(0);
    expect([png.rescaleSlope, png.rescaleIntercept]).toEqual([derived.pixel.rescaleSlope, derived.pixel.rescaleIntercept]);
  });

  it('never parses the derived file: a processor whose DICOM bytes are garbage still gives its PNG', async () => {
    const real = createNearestProcessor();
    const garbageBytes: SliceProcessor = async (instance, request) => ({ ...(await real(instance, request)), derived: new Uint8Array([1, 2, 3]) });
    const answer = await createSliceUpscaler(garbageBytes)(new Uint8Array(fs.readFileSync(MR_SMALL)), { scale: 2 }, { format: 'png' });
    expect(answer.format).toBe('png');
  });

  it('does no work for a request already cancelled', async () => {
    let called = false;
    const spy: SliceProcessor = async () => {
      called = true;
      throw new Error('not reached');
    };
    await expect(createSliceUpscaler(spy)(new Uint8Array(fs.readFileSync(MR_SMALL)), { scale: 2 }, { format: 'dicom', signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'cancelled' });
    expect(called).toBe(false);
  });
});
