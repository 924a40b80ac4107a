import fs from 'node:fs';
import { decodeFrame, readDicomBytes, toConditioning } from '../../src/ingest';
import { IDENTITY, storedAsSource } from '../../src/service/evaluate-instances';
import { CORPUS, corpusFile, pydicom } from '../ingest/helpers';

async function storedThrough(file: string, values: number[]): Promise<number[]> {
  const instance = readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file });
  const frame = await decodeFrame(instance, 0);
  const { steps } = toConditioning(frame, instance.pixel, IDENTITY);
  return Array.from(storedAsSource({ data: Float32Array.from(values), height: 1, width: values.length }, frame, steps, instance.pixel).data);
}

describe('storedAsSource: the eval LR as its source file would store it', () => {
  it('clips an unsigned MR file\'s negative ringing at 0 and its top at BitsStored, and rounds', async () => {
    // dicomnifti's Siemens ASL mosaic: MR, 12 bits stored, unsigned, no rescale
    const file = corpusFile(CORPUS, 'dicomnifti/usr/share/doc/dicomnifti/examples/0001.dcm');
    expect(await storedThrough(file, [-37.2, -0.4, 12.6, 5000])).toEqual([0, 0, 13, 4095]);
  });

  it('keeps what a signed file with a rescale can hold, on its integer grid', async () => {
    // pydicom's CT_small: 16 bits signed, RescaleIntercept -1024
    expect(await storedThrough(pydicom('CT_small.dcm'), [-1500.4, -1024, 10.5, 3000.2])).toEqual([-1500, -1024, 11, 3000]);
  });
});
