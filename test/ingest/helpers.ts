import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { decodeFrame, readDicomBytes, type DicomInstance } from '../../src/ingest';

/** The real DICOM corpus fetched by fixtures/fetch-corpus.sh (npm test runs it first). */
export const CORPUS = path.resolve(__dirname, '..', '..', '.cache', 'corpus');
export const PYDICOM = path.join(CORPUS, 'python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');
export const GDCM_XA = path.join(CORPUS, 'libgdcm3.0/usr/share/doc/libgdcm3.0/examples/00191113.dcm');
export const OCTAVE = path.join(CORPUS, 'octave-dicom/usr/share/octave/packages/dicom-0.5.1/imdata');

export function corpusFile(...parts: string[]): string {
  const file = path.join(...parts);
  if (!fs.existsSync(file)) throw new Error(`corpus file ${file} is missing: run bash fixtures/fetch-corpus.sh`);
  return file;
}

export function pydicom(name: string): string {
  return corpusFile(PYDICOM, name);
}

export function makeTempDir(prefix = 'medsr-ingest-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function readFileInstance(file: string): DicomInstance {
  return readDicomBytes(new Uint8Array(fs.readFileSync(file)), { path: file, label: file });
}

/** Every frame of a file, decoded by medsr. */
export async function decodeAll(file: string): Promise<Int32Array[]> {
  const instance = readFileInstance(file);
  const frames: Int32Array[] = [];
  for (let f = 0; f < instance.pixel.frames; f++) frames.push((await decodeFrame(instance, f)).stored);
  return frames;
}

/** Runs a DICOM tool (gdcmconv, dcmcjpls, ...) and returns the output path. */
export function convert(tool: string, args: string[], output: string): string {
  execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!fs.existsSync(output)) throw new Error(`${tool} wrote nothing to ${output}`);
  return output;
}

/** GDCM's own decode of a file, written uncompressed, so medsr's codecs are checked independently. */
export function gdcmRaw(input: string, dir: string): string {
  const output = path.join(dir, `${path.basename(input)}.raw.dcm`);
  return convert('gdcmconv', ['--raw', input, output], output);
}

/**
 * DCMTK's decode (dcmdrle, dcmdjpeg, dcmdjpls). Used where GDCM 3.0 is wrong: it swaps the bytes
 * of 16-bit colour RLE and cannot write the 2-frame variant.
 */
export function dcmtkRaw(input: string, dir: string, tool: 'dcmdrle' | 'dcmdjpeg' | 'dcmdjpls'): string {
  const output = path.join(dir, `${path.basename(input)}.${tool}.dcm`);
  return convert(tool, [input, output], output);
}

export function maxAbsDifference(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

export interface ZipEntrySpec {
  name: string;
  data: Uint8Array;
  /** deflate (default) or store */
  method?: 'deflate' | 'store';
  /** Unix mode in the upper half of the external attributes (0o120777 for a symlink). */
  unixMode?: number;
  /** Sets the "encrypted" flag (the data itself is not encrypted: readers must refuse it first). */
  encryptedFlag?: boolean;
  /** Overrides the uncompressed size written in the headers (a lying header). */
  claimedSize?: number;
}

/**
 * Writes a zip with exactly the entries asked for, hostile ones included (`../` names, symlinks,
 * lying sizes), which the zip tool refuses to make.
 */
export function writeZip(file: string, entries: ZipEntrySpec[]): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const store = e.method === 'store';
    const body = store ? Buffer.from(e.data) : zlib.deflateRawSync(e.data);
    const crc = zlib.crc32(e.data);
    const size = e.claimedSize ?? e.data.length;
    const flags = 0x0800 | (e.encryptedFlag ? 1 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(store ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    parts.push(local, name, body);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(flags, 8);
    cd.writeUInt16LE(store ? 0 : 8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(((e.unixMode ?? 0o100644) << 16) >>> 0, 38);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset += local.length + name.length + body.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...parts, cdBytes, end]));
}
