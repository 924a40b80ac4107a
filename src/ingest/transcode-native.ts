/**
 * The same instance with its pixels decoded and stored uncompressed (Explicit VR Little Endian),
 * for clients that cannot decode JPEG, JPEG-LS, JPEG 2000 or RLE themselves (the web viewer).
 * Same SOP Instance UID: the stored values are unchanged, only their encoding differs; a lossy
 * source keeps saying so (LossyImageCompression is cloned with the rest of the dataset).
 */
import { MedsrError } from '../shared/errors';
import { decodeFrame } from './pixel-data';
import type { DicomInstance } from './types';
import { EXPLICIT_VR_LITTLE_ENDIAN, keepLossyHistory } from './write-derived';
import { put, readDataset, remove, writePart10 } from './write-derived-dataset';
import { encodePixelData } from './write-derived-pixels';

const NATIVE_LITTLE_ENDIAN = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

export async function transcodeToNative(instance: DicomInstance): Promise<Uint8Array> {
  const { pixel } = instance;
  if (NATIVE_LITTLE_ENDIAN.has(pixel.transferSyntaxUID)) return instance.bytes;
  if (pixel.samplesPerPixel !== 1) {
    throw new MedsrError('unsupported', 'transcode.colour', 'only greyscale images are transcoded to uncompressed form', { file: instance.ref.label });
  }
  if (pixel.bitsAllocated !== 8 && pixel.bitsAllocated !== 16 && pixel.bitsAllocated !== 32) {
    throw new MedsrError('unsupported', 'transcode.bits', `BitsAllocated ${pixel.bitsAllocated} is not transcoded`, { file: instance.ref.label });
  }
  const frames: Int32Array[] = [];
  for (let f = 0; f < pixel.frames; f++) frames.push((await decodeFrame(instance, f)).stored);

  const { meta, dict } = readDataset(instance.bytes, instance.ref.label);
  // attributes that describe the compressed encoding, not the values
  remove(dict, 'ExtendedOffsetTable', 'ExtendedOffsetTableLengths', 'PlanarConfiguration');
  const data = encodePixelData(frames, {
    bitsAllocated: pixel.bitsAllocated,
    bitsStored: pixel.bitsStored,
    signed: pixel.pixelRepresentation === 1,
    rescaleSlope: pixel.rescaleSlope,
    rescaleIntercept: pixel.rescaleIntercept,
    photometricInterpretation: pixel.photometricInterpretation,
    rescale: true,
  });
  put(dict, 'PixelData', [data], pixel.bitsAllocated === 8 ? 'OB' : 'OW');
  put(meta, 'TransferSyntaxUID', [EXPLICIT_VR_LITTLE_ENDIAN]);
  keepLossyHistory(dict, instance);
  return writePart10(meta, dict, instance.ref.label);
}
