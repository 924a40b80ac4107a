/**
 * One MR series of two slices made two ways from the same high-resolution phantom (ellipses, complex noise taken as a
 * magnitude, as an MR image is): a lower acquisition matrix (central k-space) and a resampled copy (the contract's
 * antialiased bicubic), each x2 and stored unsigned as a file stores it (the ringing below zero clipped). The shipped
 * detector calls them k-space and resampled with room to spare (P(k-space) about 1.00 and 0.14 in the recipe's Python),
 * so `auto` takes two paths in one series: what a series whose making the detector cannot settle looks like.
 */
import fs from 'node:fs';
import path from 'node:path';
import { degrade } from '../../../src/pipeline/degrade';
import type { Plane } from '../../../src/pipeline/plane';
import { SeededRng } from '../../../src/shared/rng';
import { MR_SMALL } from './replicating-processor';

// dcmjs ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any
const dcmjs = require('dcmjs') as any;

const SIZE = 128;

function phantom(): Plane {
  const re = new SeededRng(7).fillGaussian(new Float32Array(SIZE * SIZE));
  const im = new SeededRng(8).fillGaussian(new Float32Array(SIZE * SIZE));
  const inside = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < 1;
  const data = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < data.length; i++) {
    const x = (i % SIZE) / SIZE;
    const y = Math.floor(i / SIZE) / SIZE;
    const signal = (inside(x, y, 0.5, 0.5, 0.4, 0.45) ? 800 : 0) + (inside(x, y, 0.45, 0.5, 0.15, 0.25) ? 400 : 0) - (inside(x, y, 0.6, 0.4, 0.08, 0.1) ? 300 : 0);
    data[i] = Math.hypot(signal + 15 * re[i]!, 15 * im[i]!);
  }
  return { data, height: SIZE, width: SIZE };
}

/** Writes the two slices (k-space first) into `dir`; returns their paths, the series' UID and each slice's SOP UID. */
export function writeTwoWaySeries(dir: string): { files: string[]; seriesInstanceUID: string; sopInstanceUIDs: { kspace: string; bicubic: string } } {
  const hr = phantom();
  const bytes = fs.readFileSync(MR_SMALL);
  const root = `2.25.${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`;
  const seriesInstanceUID = `${root}.2`;
  fs.mkdirSync(dir, { recursive: true });
  const files = (['kspace', 'bicubic'] as const).map((kind, i) => {
    const lr = degrade(hr, 2, kind);
    const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
    Object.assign(ds, {
      Rows: lr.height, Columns: lr.width, BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 0,
      PixelData: [Uint16Array.from(lr.data, (v) => Math.min(65535, Math.max(0, Math.round(v)))).buffer],
      StudyInstanceUID: `${root}.1`, SeriesInstanceUID: seriesInstanceUID, SOPInstanceUID: `${root}.3.${i + 1}`,
      SeriesDescription: 'two-way test series', InstanceNumber: i + 1,
    });
    for (const tag of ['SmallestImagePixelValue', 'LargestImagePixelValue', 'WindowCenter', 'WindowWidth']) delete ds[tag];
    message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
    message.meta['00020003'] = { vr: 'UI', Value: [ds.SOPInstanceUID] };
    const file = path.join(dir, `${kind}.dcm`);
    fs.writeFileSync(file, Buffer.from(message.write()));
    return file;
  });
  return { files, seriesInstanceUID, sopInstanceUIDs: { kspace: `${root}.3.1`, bicubic: `${root}.3.2` } };
}
