/**
 * Small real stand-ins for src/ingest and the upscale use case, so the service can be tested on
 * real DICOM files on its own: dicom-parser reads, dcmjs writes, nearest-neighbour replication
 * "upscales". They fail for real (compressed or colour input, corrupt files), as the real ones do.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import yauzl from 'yauzl';
import type { DecodedFrame, DicomInstance, InputRef, ReadResult } from '../../../src/ingest/types';
import type { SliceProcessor } from '../../../src/service/ports';
import { randomUid } from '../../../src/service/uid';
import { MedsrError } from '../../../src/shared/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs') as any;
dcmjs.log.setLevel('error'); // private tags of the corpus files are not worth a warning each

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

export function readDicomBytes(bytes: Uint8Array, ref: InputRef): DicomInstance {
  let ds: dicomParser.DataSet;
  try {
    ds = dicomParser.parseDicom(bytes);
  } catch (err) {
    throw new MedsrError('invalid_input', 'dicom.unreadable', `not a readable DICOM file: ${String(err)}`, { file: ref.label });
  }
  const str = (tag: string): string | undefined => ds.string(tag)?.trim() || undefined;
  const num = (tag: string): number | undefined => (ds.string(tag) ? Number(ds.string(tag)) : undefined);
  const need = (tag: string, name: string): string => {
    const v = str(tag);
    if (!v) throw new MedsrError('invalid_input', 'dicom.missing', `missing ${name}`, { file: ref.label });
    return v;
  };
  if (!ds.elements.x7fe00010) throw new MedsrError('unsupported', 'dicom.no_pixels', 'no pixel data', { file: ref.label });
  const floats = (tag: string): number[] | undefined => str(tag)?.split('\\').map(Number);
  const pos = floats('x00200032');
  const ori = floats('x00200037');
  return {
    ref,
    sopClassUID: need('x00080016', 'SOPClassUID'),
    sopInstanceUID: need('x00080018', 'SOPInstanceUID'),
    studyInstanceUID: need('x0020000d', 'StudyInstanceUID'),
    seriesInstanceUID: need('x0020000e', 'SeriesInstanceUID'),
    frameOfReferenceUID: str('x00200052'),
    modality: str('x00080060') ?? 'OT',
    instanceNumber: num('x00200013'),
    seriesNumber: num('x00200011'),
    seriesDescription: str('x0008103e'),
    studyDescription: str('x00081030'),
    pixel: {
      transferSyntaxUID: str('x00020010') ?? '1.2.840.10008.1.2',
      rows: ds.uint16('x00280010') ?? 0,
      columns: ds.uint16('x00280011') ?? 0,
      frames: num('x00280008') ?? 1,
      samplesPerPixel: ds.uint16('x00280002') ?? 1,
      photometricInterpretation: str('x00280004') ?? 'MONOCHROME2',
      bitsAllocated: ds.uint16('x00280100') ?? 16,
      bitsStored: ds.uint16('x00280101') ?? 16,
      highBit: ds.uint16('x00280102') ?? 15,
      pixelRepresentation: ds.uint16('x00280103') === 1 ? 1 : 0,
      planarConfiguration: ds.uint16('x00280006') === 1 ? 1 : 0,
      rescaleSlope: num('x00281053') ?? 1,
      rescaleIntercept: num('x00281052') ?? 0,
    },
    geometry: {
      imagePositionPatient: pos?.length === 3 ? (pos as [number, number, number]) : undefined,
      imageOrientationPatient: ori?.length === 6 ? (ori as [number, number, number, number, number, number]) : undefined,
      pixelSpacing: undefined,
      sliceThickness: num('x00180050'),
    },
    promptMetadata: { Modality: str('x00080060') },
    bytes,
  };
}

/** Reads every entry of a zip into memory (test inputs are small). */
function zipEntries(file: string): Promise<Array<{ name: string; bytes: Buffer }>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: Array<{ name: string; bytes: Buffer }> = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, bytes: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

async function* walk(p: string): AsyncGenerator<string> {
  const stat = await fs.stat(p);
  if (!stat.isDirectory()) return yield p;
  for (const name of (await fs.readdir(p)).sort()) yield* walk(path.join(p, name));
}

export async function* readInputs(paths: string[]): AsyncIterable<ReadResult> {
  const parse = (bytes: Uint8Array, ref: InputRef): ReadResult => {
    try {
      return { ok: true, instance: readDicomBytes(bytes, ref) };
    } catch (err) {
      return { ok: false, ref, error: err instanceof MedsrError ? err : new MedsrError('invalid_input', 'dicom.unreadable', String(err)) };
    }
  };
  for (const input of paths) {
    for await (const file of walk(input)) {
      if (file.endsWith('.zip')) {
        for (const e of await zipEntries(file)) yield parse(new Uint8Array(e.bytes), { path: file, entry: e.name, label: `${file}!${e.name}` });
      } else {
        yield parse(new Uint8Array(await fs.readFile(file)), { path: file, label: file });
      }
    }
  }
}

function storedValues(instance: DicomInstance): Int32Array {
  const { pixel } = instance;
  if (!UNCOMPRESSED.has(pixel.transferSyntaxUID)) throw new MedsrError('unsupported', 'pixels.compressed', 'mini-ingest reads uncompressed little endian only');
  if (pixel.samplesPerPixel !== 1) throw new MedsrError('unsupported', 'pixels.colour', 'colour input');
  const ds = dicomParser.parseDicom(instance.bytes);
  const el = ds.elements.x7fe00010 as dicomParser.Element;
  const n = pixel.rows * pixel.columns;
  const out = new Int32Array(n);
  const view = new DataView(instance.bytes.buffer, instance.bytes.byteOffset + el.dataOffset, el.length);
  for (let i = 0; i < n; i++) {
    if (pixel.bitsAllocated === 8) out[i] = view.getUint8(i);
    else out[i] = pixel.pixelRepresentation === 1 ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true);
  }
  return out;
}

export async function decodeFrame(instance: DicomInstance, frameIndex: number): Promise<DecodedFrame> {
  if (frameIndex !== 0) throw new MedsrError('unsupported', 'pixels.multiframe', 'mini-ingest decodes frame 0 only');
  const { rows, columns, samplesPerPixel, photometricInterpretation } = instance.pixel;
  return { rows, columns, samplesPerPixel, photometricInterpretation, stored: storedValues(instance) };
}

/**
 * A real slice processor: nearest-neighbour replication, written back with dcmjs as a derived
 * instance referencing its source. Options are honoured (scale, samples -> uncertainty copy).
 */
export function createReplicatingProcessor(opts: { delayMs?: number } = {}): SliceProcessor {
  return async (instance, request) => {
    const { scale } = request.options;
    const stored = storedValues(instance);
    if (opts.delayMs) {
      for (let i = 1; i <= 4; i++) {
        if (request.signal?.aborted) throw new MedsrError('internal', 'aborted', 'aborted');
        await new Promise((r) => setTimeout(r, (opts.delayMs as number) / 4));
        request.onProgress?.(i / 4);
      }
    }
    const { rows, columns, bitsAllocated, pixelRepresentation } = instance.pixel;
    const R = rows * scale;
    const C = columns * scale;
    const Typed = bitsAllocated === 8 ? Uint8Array : pixelRepresentation === 1 ? Int16Array : Uint16Array;
    const up = new Typed(R * C);
    for (let y = 0; y < R; y++) for (let x = 0; x < C; x++) up[y * C + x] = stored[Math.floor(y / scale) * columns + Math.floor(x / scale)] as number;
    const write = (pixels: ArrayBufferView, series: string, sop: string, kind: string): Uint8Array => {
      const msg = dcmjs.data.DicomMessage.readFile(instance.bytes.slice().buffer);
      const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(msg.dict);
      ds.Rows = R;
      ds.Columns = C;
      ds.SOPInstanceUID = sop;
      ds.SeriesInstanceUID = series;
      ds.ImageType = ['DERIVED', 'SECONDARY'];
      ds.DerivationDescription = `mini-ingest ${kind} x${scale}`;
      ds.SourceImageSequence = [{ ReferencedSOPClassUID: instance.sopClassUID, ReferencedSOPInstanceUID: instance.sopInstanceUID }];
      ds.PixelData = [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)];
      msg.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
      msg.meta['00020003'].Value = [sop];
      return new Uint8Array(msg.write());
    };
    const t = request.target;
    const derived = write(up, t?.seriesInstanceUID ?? randomUid(), t?.sopInstanceUID ?? randomUid(), 'super-resolution');
    const uncertainty = (request.options.samples ?? 1) > 1
      ? write(new Typed(R * C), t?.uncertaintySeriesInstanceUID ?? randomUid(), t?.uncertaintySopInstanceUID ?? randomUid(), 'uncertainty')
      : undefined;
    return uncertainty ? { derived, uncertainty } : { derived };
  };
}

export const CORPUS = path.resolve(__dirname, '../../../.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');
/** A real MR series of 7 small slices (16x16, explicit little endian). */
export const MR_SERIES_DIR = path.join(CORPUS, 'dicomdirtests/98892003/MR700');
export const MR_SMALL = path.join(CORPUS, 'MR_small.dcm');
export const CT_SMALL = path.join(CORPUS, 'CT_small.dcm');
