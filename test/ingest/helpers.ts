import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { decodeFrame, readDicomBytes, type DicomInstance } from '../../src/ingest';
import { tempDir } from '../helpers/temp-dirs';

/** The real DICOM corpus fetched by fixtures/fetch-corpus.sh (npm test runs it first). */
export const CORPUS = path.resolve(__dirname, '..', '..', '.cache', 'corpus');
export const PYDICOM = path.join(CORPUS, 'python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');
export const GDCM_XA = path.join(CORPUS, 'libgdcm3.0/usr/share/doc/libgdcm3.0/examples/00191113.dcm');
export const NIBABEL_NICOM = path.join(CORPUS, 'python3-nibabel/usr/lib/python3/dist-packages/nibabel/nicom/tests/data');
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
  return tempDir(prefix);
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
  /** Stored as the entry's compressed bytes instead of deflating `data` (a corrupt stream). */
  rawBody?: Uint8Array;
}

/**
 * Writes a zip with exactly the entries asked for, hostile ones included (`../` names, symlinks,
 * lying sizes), which the zip tool refuses to make.
 */
export function writeZip(file: string, entries: ZipEntrySpec[]): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // entries sharing one data buffer (thousands of copies) are deflated and checksummed once
  const deflated = new Map<Uint8Array, Buffer>();
  const crcs = new Map<Uint8Array, number>();
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const store = e.method === 'store';
    if (!store && !e.rawBody && !deflated.has(e.data)) deflated.set(e.data, zlib.deflateRawSync(e.data));
    const body = e.rawBody ? Buffer.from(e.rawBody) : store ? Buffer.from(e.data) : deflated.get(e.data)!;
    if (!crcs.has(e.data)) crcs.set(e.data, zlib.crc32(e.data));
    const crc = crcs.get(e.data)!;
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
  end.writeUInt16LE(entries.length, 8); // up to 65535 entries: no zip64 here
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  fs.writeFileSync(file, Buffer.concat([...parts, cdBytes, end]));
}

export interface SyntheticImage {
  transferSyntaxUID?: string;
  rows: number;
  columns: number;
  frames?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  signed?: boolean;
  samplesPerPixel?: number;
  photometric?: string;
  modality?: string;
  sopInstanceUID?: string;
  seriesInstanceUID?: string;
  /** Native pixel bytes, or the fragments of encapsulated pixel data. */
  pixelData: Uint8Array | Uint8Array[];
  /** Basic Offset Table values (the first item of encapsulated pixel data); empty when absent. */
  basicOffsets?: number[];
  /** Extended Offset Table (7FE0,0001, VR OV) values, written before the pixel data. */
  extendedOffsets?: number[];
}

/**
 * A minimal Part 10 file (explicit VR little endian data set) written byte by byte, so tests can
 * state exactly what a file claims, including claims a converter would refuse to write.
 */
export function buildDicom(image: SyntheticImage): Buffer {
  const ts = image.transferSyntaxUID ?? '1.2.840.10008.1.2.1';
  const el = (group: number, element: number, vr: string, value: Buffer): Buffer => {
    const padded = value.length % 2 ? Buffer.concat([value, Buffer.from(vr === 'UI' || vr === 'OB' ? [0] : [0x20])]) : value;
    const long = ['OB', 'OW', 'OV', 'SQ', 'UN', 'UT'].includes(vr);
    const head = Buffer.alloc(long ? 12 : 8);
    head.writeUInt16LE(group, 0);
    head.writeUInt16LE(element, 2);
    head.write(vr, 4, 'latin1');
    if (long) head.writeUInt32LE(padded.length, 8);
    else head.writeUInt16LE(padded.length, 6);
    return Buffer.concat([head, padded]);
  };
  const str = (s: string): Buffer => Buffer.from(s, 'latin1');
  const us = (n: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(n, 0);
    return b;
  };
  const meta = Buffer.concat([
    el(0x0002, 0x0001, 'OB', Buffer.from([0, 1])),
    el(0x0002, 0x0002, 'UI', str('1.2.840.10008.5.1.4.1.1.7')),
    el(0x0002, 0x0003, 'UI', str(image.sopInstanceUID ?? '1.2.3.4.5.6.7')),
    el(0x0002, 0x0010, 'UI', str(ts)),
  ]);
  const groupLength = Buffer.alloc(4);
  groupLength.writeUInt32LE(meta.length, 0);
  const bits = image.bitsAllocated ?? 16;
  const spp = image.samplesPerPixel ?? 1;
  const data = [
    el(0x0008, 0x0016, 'UI', str('1.2.840.10008.5.1.4.1.1.7')),
    el(0x0008, 0x0018, 'UI', str(image.sopInstanceUID ?? '1.2.3.4.5.6.7')),
    el(0x0008, 0x0060, 'CS', str(image.modality ?? 'OT')),
    el(0x0020, 0x000d, 'UI', str('1.2.3.4.5.1')),
    el(0x0020, 0x000e, 'UI', str(image.seriesInstanceUID ?? '1.2.3.4.5.2')),
    el(0x0028, 0x0002, 'US', us(spp)),
    el(0x0028, 0x0004, 'CS', str(image.photometric ?? (spp === 3 ? 'RGB' : 'MONOCHROME2'))),
    ...(spp === 3 ? [el(0x0028, 0x0006, 'US', us(0))] : []),
    ...(image.frames !== undefined ? [el(0x0028, 0x0008, 'IS', str(String(image.frames)))] : []),
    el(0x0028, 0x0010, 'US', us(image.rows)),
    el(0x0028, 0x0011, 'US', us(image.columns)),
    el(0x0028, 0x0100, 'US', us(bits)),
    el(0x0028, 0x0101, 'US', us(image.bitsStored ?? bits)),
    el(0x0028, 0x0102, 'US', us((image.bitsStored ?? bits) - 1)),
    el(0x0028, 0x0103, 'US', us(image.signed ? 1 : 0)),
  ];
  let pixel: Buffer;
  if (Array.isArray(image.pixelData)) {
    const item = (b: Uint8Array): Buffer => {
      const head = Buffer.alloc(8);
      head.writeUInt16LE(0xfffe, 0);
      head.writeUInt16LE(0xe000, 2);
      const body = b.length % 2 ? Buffer.concat([Buffer.from(b), Buffer.from([0])]) : Buffer.from(b);
      head.writeUInt32LE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    const head = Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const end = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
    const table = Buffer.alloc(4 * (image.basicOffsets?.length ?? 0));
    image.basicOffsets?.forEach((o, i) => table.writeUInt32LE(o, 4 * i));
    pixel = Buffer.concat([head, item(table), ...image.pixelData.map(item), end]);
    if (image.extendedOffsets) {
      const eot = Buffer.alloc(8 * image.extendedOffsets.length);
      image.extendedOffsets.forEach((o, i) => eot.writeBigUInt64LE(BigInt(o), 8 * i));
      pixel = Buffer.concat([el(0x7fe0, 0x0001, 'OV', eot), pixel]);
    }
  } else {
    pixel = el(0x7fe0, 0x0010, bits > 8 ? 'OW' : 'OB', Buffer.from(image.pixelData));
  }
  return Buffer.concat([Buffer.alloc(128), str('DICM'), el(0x0002, 0x0000, 'UL', groupLength), meta, ...data, pixel]);
}

/** DICOM RLE of one 8-bit single-sample frame, as literal runs only (valid, if not small). */
export function encodeRle8(pixels: Uint8Array): Uint8Array {
  const runs: number[] = [];
  for (let i = 0; i < pixels.length; i += 128) {
    const chunk = pixels.subarray(i, i + 128);
    runs.push(chunk.length - 1, ...chunk);
  }
  const header = Buffer.alloc(64);
  header.writeUInt32LE(1, 0);
  header.writeUInt32LE(64, 4);
  return Buffer.concat([header, Buffer.from(runs)]);
}
