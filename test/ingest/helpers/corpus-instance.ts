/**
 * Corpus instances for the write-back and transform tests, read with the real reader. Frames are
 * decoded here synchronously (uncompressed data only) so fixtures can be built at module load.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dicomParser from 'dicom-parser';
import type { DecodedFrame, DicomInstance } from '../../../src/ingest/types';
import { readDicomBytes } from '../../../src/ingest/read-dicom';

export const PYDICOM_TEST_FILES = join(__dirname, '../../../.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');

export function loadCorpusInstance(name: string, dir = PYDICOM_TEST_FILES): DicomInstance {
  const path = join(dir, name);
  return instanceFromBytes(new Uint8Array(readFileSync(path)), path, name);
}

export function instanceFromBytes(bytes: Uint8Array, path: string, label: string): DicomInstance {
  return readDicomBytes(bytes, { path, label });
}

/** Frame `index` of an uncompressed little-endian 8/16-bit instance, sign-extended as the reader does. */
export function decodeUncompressedFrame(instance: DicomInstance, index = 0): DecodedFrame {
  const { pixel } = instance;
  const bytesPer = pixel.bitsAllocated / 8;
  if (bytesPer !== 1 && bytesPer !== 2) throw new Error('test helper decodes 8/16-bit data only');
  const ds = dicomParser.parseDicom(instance.bytes);
  const element = ds.elements['x7fe00010']!;
  if (element.encapsulatedPixelData) throw new Error('test helper decodes uncompressed data only');
  const count = pixel.rows * pixel.columns;
  const view = new DataView(instance.bytes.buffer, instance.bytes.byteOffset + element.dataOffset + index * count * bytesPer, count * bytesPer);
  const stored = new Int32Array(count);
  const shift = 32 - pixel.bitsStored;
  for (let i = 0; i < count; i++) {
    const raw = bytesPer === 2 ? view.getUint16(i * 2, true) : view.getUint8(i);
    stored[i] = pixel.pixelRepresentation === 1 ? (raw << shift) >> shift : raw & (2 ** pixel.bitsStored - 1);
  }
  return { rows: pixel.rows, columns: pixel.columns, samplesPerPixel: pixel.samplesPerPixel, photometricInterpretation: pixel.photometricInterpretation, stored };
}
