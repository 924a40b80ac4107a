/**
 * Stand-in for the real reader (ingest-read) while it is being written: parses an uncompressed
 * little-endian corpus file with dicom-parser into a DicomInstance and decodes its frames.
 * The lead swaps this for readDicomBytes/decodeFrame at merge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as dicomParser from 'dicom-parser';
import type { DecodedFrame, DicomInstance } from '../../../src/ingest/types';

export const PYDICOM_TEST_FILES = join(__dirname, '../../../.cache/corpus/python3-pydicom/usr/lib/python3/dist-packages/pydicom/data/test_files');

const nums = (ds: dicomParser.DataSet, tag: string, count: number): number[] | undefined => {
  const values = Array.from({ length: count }, (_, i) => ds.floatString(tag, i));
  return values.every((v): v is number => v !== undefined) ? values : undefined;
};

export function loadCorpusInstance(name: string, dir = PYDICOM_TEST_FILES): DicomInstance {
  const path = join(dir, name);
  return instanceFromBytes(new Uint8Array(readFileSync(path)), path, name);
}

export function instanceFromBytes(bytes: Uint8Array, path: string, label: string): DicomInstance {
  const ds = dicomParser.parseDicom(bytes);
  const str = (tag: string) => ds.string(tag) || undefined;
  return {
    ref: { path, label },
    sopClassUID: ds.string('x00080016')!,
    sopInstanceUID: ds.string('x00080018')!,
    studyInstanceUID: ds.string('x0020000d')!,
    seriesInstanceUID: ds.string('x0020000e')!,
    frameOfReferenceUID: str('x00200052'),
    modality: ds.string('x00080060') ?? '',
    instanceNumber: ds.intString('x00200013'),
    seriesNumber: ds.intString('x00200011'),
    seriesDescription: str('x0008103e'),
    studyDescription: str('x00081030'),
    pixel: {
      transferSyntaxUID: ds.string('x00020010')!,
      rows: ds.uint16('x00280010')!,
      columns: ds.uint16('x00280011')!,
      frames: ds.intString('x00280008') ?? 1,
      samplesPerPixel: ds.uint16('x00280002')!,
      photometricInterpretation: ds.string('x00280004')!,
      bitsAllocated: ds.uint16('x00280100')!,
      bitsStored: ds.uint16('x00280101')!,
      highBit: ds.uint16('x00280102')!,
      pixelRepresentation: ds.uint16('x00280103') === 1 ? 1 : 0,
      planarConfiguration: ds.uint16('x00280006') === 1 ? 1 : 0,
      rescaleSlope: ds.floatString('x00281053') ?? 1,
      rescaleIntercept: ds.floatString('x00281052') ?? 0,
    },
    geometry: {
      imagePositionPatient: nums(ds, 'x00200032', 3) as [number, number, number] | undefined,
      imageOrientationPatient: nums(ds, 'x00200037', 6) as [number, number, number, number, number, number] | undefined,
      pixelSpacing: nums(ds, 'x00280030', 2) as [number, number] | undefined,
      sliceThickness: ds.floatString('x00180050'),
    },
    promptMetadata: { Modality: ds.string('x00080060') },
    bytes,
  };
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
