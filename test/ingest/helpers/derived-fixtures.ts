/** Shared setup for the write-back tests: plausible upscaled frames, a temp dir, and read-back. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dicomParser from 'dicom-parser';
import type { DicomInstance } from '../../../src/ingest/types';
import { newUid } from '../../../src/ingest/uid';
import type { DerivedOptions } from '../../../src/ingest/write-derived';
import { tempDir } from '../../helpers/temp-dirs';
import { decodeUncompressedFrame } from './corpus-instance';

export const outDir = tempDir('medsr-derived-');

export function save(name: string, bytes: Uint8Array): string {
  const path = join(outDir, name);
  writeFileSync(path, bytes);
  return path;
}

/** Nearest-neighbour upscaling of stored values, plus a deterministic ripple so pixels are not just copies. */
export function upscaleStored(stored: Int32Array, rows: number, columns: number, scale: number, clampTo: [number, number]): Int32Array {
  const out = new Int32Array(rows * columns * scale * scale);
  const width = columns * scale;
  for (let r = 0; r < rows * scale; r++) {
    for (let c = 0; c < width; c++) {
      const v = stored[Math.floor(r / scale) * columns + Math.floor(c / scale)]! + ((r * 7 + c * 3) % 5) - 2;
      out[r * width + c] = Math.min(clampTo[1], Math.max(clampTo[0], v));
    }
  }
  return out;
}

export function upscaledFrames(source: DicomInstance, scale: number): Int32Array[] {
  const { rows, columns, bitsStored, pixelRepresentation } = source.pixel;
  const range: [number, number] = pixelRepresentation === 1 ? [-(2 ** (bitsStored - 1)), 2 ** (bitsStored - 1) - 1] : [0, 2 ** bitsStored - 1];
  return Array.from({ length: source.pixel.frames }, (_, f) =>
    upscaleStored(decodeUncompressedFrame(source, f).stored, rows, columns, scale, range),
  );
}

export function srOptions(source: DicomInstance, scale: number, overrides: Partial<DerivedOptions> = {}): DerivedOptions {
  return {
    scale,
    rows: source.pixel.rows * scale,
    columns: source.pixel.columns * scale,
    seriesInstanceUID: newUid(),
    seriesNumber: 9001,
    seriesDescription: source.seriesDescription ?? 'source',
    derivationDescription: `medsr-ldm-v1 1.0.0 sha256:abc123 scale ${scale} steps 4 samples 1 seed 7`,
    kind: 'super-resolution',
    softwareVersion: '0.1.0',
    ...overrides,
  };
}

export function parse(bytes: Uint8Array): dicomParser.DataSet {
  return dicomParser.parseDicom(bytes);
}

export function floats(ds: dicomParser.DataSet, tag: string): number[] {
  const n = ds.numStringValues(tag) ?? 0;
  return Array.from({ length: n }, (_, i) => ds.floatString(tag, i)!);
}

/** The first item of a sequence, as a DataSet. */
export function item(ds: dicomParser.DataSet, tag: string, index = 0): dicomParser.DataSet {
  const found = ds.elements[tag]?.items?.[index]?.dataSet;
  if (!found) throw new Error(`no item ${index} in ${tag}`);
  return found;
}

export function code(ds: dicomParser.DataSet): [string | undefined, string | undefined, string | undefined] {
  return [ds.string('x00080100'), ds.string('x00080102'), ds.string('x00080104')];
}

export { firstDifference } from './arrays';
