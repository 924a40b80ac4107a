/**
 * A small real stand-in for the model's use case, so the job engine, API and batch can be tested
 * on real DICOM quickly and with controlled timing: nearest-neighbour replication of uncompressed
 * greyscale pixels, written back with dcmjs as a derived instance referencing its source. It
 * refuses compressed and colour input (a real, per-slice failure the engine must report).
 */
import path from 'node:path';
import dicomParser from 'dicom-parser';
import type { DicomInstance } from '../../../src/ingest/types';
import type { SliceProcessor } from '../../../src/service/ports';
import { newUid } from '../../../src/ingest/uid';
import { MedsrError, throwIfCancelled } from '../../../src/shared/errors';

// dcmjs ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any
const dcmjs = require('dcmjs') as any;
dcmjs.log.setLevel('error'); // private tags of the corpus files are not worth a warning each

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

function storedValues(instance: DicomInstance): Int32Array {
  const { pixel } = instance;
  if (!UNCOMPRESSED.has(pixel.transferSyntaxUID)) throw new MedsrError('unsupported', 'pixels.compressed', 'the replicating test processor reads uncompressed little endian only');
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
        throwIfCancelled(request.signal);
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
      ds.DerivationDescription = `replicating test processor ${kind} x${scale}`;
      ds.SourceImageSequence = [{ ReferencedSOPClassUID: instance.sopClassUID, ReferencedSOPInstanceUID: instance.sopInstanceUID }];
      ds.PixelData = [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)];
      msg.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(ds);
      msg.meta['00020003'].Value = [sop];
      return new Uint8Array(msg.write());
    };
    const t = request.target;
    const derived = write(up, t?.seriesInstanceUID ?? newUid(), t?.sopInstanceUID ?? newUid(), 'super-resolution');
    const uncertainty = (request.options.samples ?? 1) > 1
      ? write(new Typed(R * C), t?.uncertaintySeriesInstanceUID ?? newUid(), t?.uncertaintySopInstanceUID ?? newUid(), 'uncertainty')
      : undefined;
    const { bitsStored, rescaleSlope, rescaleIntercept, photometricInterpretation } = instance.pixel;
    const derivedPixels = { frames: [Int32Array.from(up)], rows: R, columns: C, bitsStored, pixelRepresentation, rescaleSlope, rescaleIntercept, photometricInterpretation };
    return uncertainty ? { derived, derivedPixels, uncertainty } : { derived, derivedPixels };
  };
}

export const CORPUS = path.resolve(__dirname, '../../../.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');
/** A real MR series of 7 small slices (16x16, explicit little endian). */
export const MR_SERIES_DIR = path.join(CORPUS, 'dicomdirtests/98892003/MR700');
export const MR_SMALL = path.join(CORPUS, 'MR_small.dcm');
export const CT_SMALL = path.join(CORPUS, 'CT_small.dcm');
