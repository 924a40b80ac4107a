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

/** The two slices, stored unsigned as a file stores them: the lower matrix first. */
function twoWaySlices(): { height: number; width: number; stored: Uint16Array[] } {
  const hr = phantom();
  const lrs = (['kspace', 'bicubic'] as const).map((kind) => degrade(hr, 2, kind));
  return { height: lrs[0]!.height, width: lrs[0]!.width, stored: lrs.map((lr) => Uint16Array.from(lr.data, (v) => Math.min(65535, Math.max(0, Math.round(v))))) };
}

/** An MR instance of `frames` (each h x w), made from MR_small's header with the given UIDs; written to `file`. */
function writeMrInstance(file: string, height: number, width: number, frames: Uint16Array[], uids: Record<string, string>, instanceNumber: number): void {
  const bytes = fs.readFileSync(MR_SMALL);
  const message = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
  const pixels = new Uint16Array(frames.length * height * width);
  frames.forEach((f, i) => pixels.set(f, i * height * width));
  Object.assign(ds, {
    Rows: height, Columns: width, BitsAllocated: 16, BitsStored: 16, HighBit: 15, PixelRepresentation: 0, PixelData: [pixels.buffer],
    SeriesDescription: 'two-way test series', InstanceNumber: instanceNumber, ...uids,
    ...(frames.length > 1 ? { NumberOfFrames: frames.length } : {}),
  });
  for (const tag of ['SmallestImagePixelValue', 'LargestImagePixelValue', 'WindowCenter', 'WindowWidth']) delete ds[tag];
  message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
  message.meta['00020003'] = { vr: 'UI', Value: [ds.SOPInstanceUID] };
  fs.writeFileSync(file, Buffer.from(message.write()));
}

const uidRoot = (): string => `2.25.${BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))}`;

/** Writes the two slices (k-space first) into `dir`; returns their paths, the series' UID and each slice's SOP UID. */
export function writeTwoWaySeries(dir: string): { files: string[]; seriesInstanceUID: string; sopInstanceUIDs: { kspace: string; bicubic: string } } {
  const { height, width, stored } = twoWaySlices();
  const root = uidRoot();
  const seriesInstanceUID = `${root}.2`;
  fs.mkdirSync(dir, { recursive: true });
  const files = (['kspace', 'bicubic'] as const).map((kind, i) => {
    const file = path.join(dir, `${kind}.dcm`);
    writeMrInstance(file, height, width, [stored[i]!], { StudyInstanceUID: `${root}.1`, SeriesInstanceUID: seriesInstanceUID, SOPInstanceUID: `${root}.3.${i + 1}` }, i + 1);
    return file;
  });
  return { files, seriesInstanceUID, sopInstanceUIDs: { kspace: `${root}.3.1`, bicubic: `${root}.3.2` } };
}

/** The same two slices as the two frames of one instance (the lower matrix first), written to `file`. */
export function writeTwoWayFrames(file: string): void {
  const { height, width, stored } = twoWaySlices();
  const root = uidRoot();
  writeMrInstance(file, height, width, stored, { StudyInstanceUID: `${root}.1`, SeriesInstanceUID: `${root}.2`, SOPInstanceUID: `${root}.3.1` }, 1);
}
