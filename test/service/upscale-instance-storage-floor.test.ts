import fs from 'node:fs';
import path from 'node:path';
import { readDicomBytes, type DicomInstance } from '../../src/ingest';
import { upscaleInstance, type ResolverLike } from '../../src/service/upscale-instance';
import { nearestResolver } from './helpers/nearest-processor';
import { MR_SMALL } from './helpers/replicating-processor';
import { tempDir } from './helpers/service-fixture';

// dcmjs ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any
const dcmjs = require('dcmjs') as any;

/** MR_small (signed) rewritten unsigned, its lowest tenth of values stored as 0: a lower matrix's clipped ringing. */
function unsignedMr(): DicomInstance {
  const msg = dcmjs.data.DicomMessage.readFile(fs.readFileSync(MR_SMALL).buffer.slice(0));
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict);
  const signed = new Int16Array(ds.PixelData[0]);
  const cut = [...signed].sort((a, b) => a - b)[Math.floor(signed.length / 10)]!;
  ds.PixelData = [Uint16Array.from(signed, (v) => (v <= cut ? 0 : v)).buffer];
  ds.PixelRepresentation = 0;
  msg.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  const file = path.join(tempDir(), 'unsigned.dcm');
  fs.writeFileSync(file, new Uint8Array(msg.write()));
  return readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file });
}

/** What the use case hands the pipeline for one slice. */
async function handed(instance: DicomInstance): Promise<{ floor: number | undefined; lowest: number }> {
  let seen: { floor: number | undefined; lowest: number } | undefined;
  const recording: ResolverLike = {
    ...nearestResolver,
    upscale: (input, options) => {
      seen = { floor: options.storageFloor, lowest: input.data.reduce((a, b) => Math.min(a, b), Infinity) };
      return nearestResolver.upscale(input, options);
    },
  };
  await upscaleInstance(instance, { options: { scale: 2 } }, { resolver: recording, softwareVersion: 'medsr test' });
  return seen!;
}

describe('the storage floor the upscale use case hands the pipeline (k-space projection, pipeline/consistency/kspace.ts)', () => {
  it('an unsigned MR file: its stored 0, exactly as the conditioning tensor holds it', async () => {
    const instance = unsignedMr();
    expect(instance.pixel.pixelRepresentation).toBe(0);
    const { floor, lowest } = await handed(instance);
    expect(floor).toBe(lowest);
  });

  it('a signed MR file: below every pixel (nothing of it was clipped)', async () => {
    const instance = readDicomBytes(new Uint8Array(fs.readFileSync(MR_SMALL)), { path: MR_SMALL, label: MR_SMALL });
    expect(instance.pixel.pixelRepresentation).toBe(1);
    const { floor, lowest } = await handed(instance);
    expect(floor).toBeLessThan(lowest);
  });
});
