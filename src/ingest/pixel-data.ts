import { MedsrError, toMedsrError } from '../shared/errors';
import { expandYbr422, planarToInterleaved, ybrFullToRgb } from './decode/colour';
import { decodeCompressed } from './decode/compressed';
import { readNativeWords, toStoredValues } from './decode/stored-values';
import { encapsulatedFrame } from './frame-fragments';
import { PIXEL_DATA_TAG, nativeFrameBits } from './pixel-description';
import { parsedOf } from './read-dicom';
import { lookupTransferSyntax } from './transfer-syntax';
import type { DecodedFrame, DicomInstance } from './types';

/**
 * Decodes one frame of an instance into stored values (masked to BitsStored, sign-extended),
 * colour interleaved and converted to RGB. Every failure is a MedsrError naming the file.
 */
export async function decodeFrame(instance: DicomInstance, frameIndex: number): Promise<DecodedFrame> {
  const file = instance.ref.label;
  const pixel = instance.pixel;
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= pixel.frames) {
    throw new MedsrError('invalid_input', 'pixel.bad_frame_index', `frame ${frameIndex} does not exist (${pixel.frames} frames)`, { file });
  }
  const syntax = lookupTransferSyntax(pixel.transferSyntaxUID);
  if (!syntax) throw new MedsrError('unsupported', 'dicom.unsupported_transfer_syntax', `transfer syntax ${pixel.transferSyntaxUID} is not supported`, { file });
  try {
    const { dataSet } = parsedOf(instance);
    const element = dataSet.elements[PIXEL_DATA_TAG];
    if (!element) throw new MedsrError('unsupported', 'dicom.not_an_image', 'no pixel data', { file });
    const pixels = pixel.rows * pixel.columns;
    let stored: Int32Array;
    let photometric = pixel.photometricInterpretation;
    let interleaved = pixel.planarConfiguration === 0;

    if (syntax.codec === 'native') {
      const frameBits = nativeFrameBits(pixel);
      const bitStart = frameBits * frameIndex;
      const start = element.dataOffset + Math.floor(bitStart / 8);
      const frameBytes = dataSet.byteArray.subarray(start, start + Math.ceil(frameBits / 8) + 1);
      if (frameBytes.length * 8 < frameBits + (bitStart % 8)) {
        throw new MedsrError('invalid_input', 'dicom.truncated', `frame ${frameIndex + 1} runs past the end of the pixel data`, { file });
      }
      const count = frameBits / pixel.bitsAllocated;
      const words = readNativeWords(frameBytes, pixel.bitsAllocated, count, syntax.bigEndian, bitStart % 8);
      stored = toStoredValues(words, pixel, pixel.highBit + 1 - pixel.bitsStored, file);
      if (photometric === 'YBR_FULL_422' && pixel.samplesPerPixel === 3) {
        stored = expandYbr422(stored, pixel.rows, pixel.columns);
        interleaved = true;
        photometric = 'YBR_FULL';
      }
    } else {
      const encoded = encapsulatedFrame(dataSet, element, frameIndex, pixel.frames, syntax.codec, file);
      const out = await decodeCompressed(syntax.codec, encoded, pixel, file);
      // codestreams carry the sample in its low bits: no HighBit shift
      stored = toStoredValues(out.words, pixel, 0, file);
      photometric = out.photometric;
      interleaved = out.interleaved;
    }
    if (pixel.samplesPerPixel === 3) {
      if (!interleaved) stored = planarToInterleaved(stored, pixels);
      if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422') {
        stored = ybrFullToRgb(stored, pixel.bitsStored);
        photometric = 'RGB';
      }
    }
    return { rows: pixel.rows, columns: pixel.columns, samplesPerPixel: pixel.samplesPerPixel, photometricInterpretation: photometric, stored };
  } catch (err) {
    if (err instanceof MedsrError) throw err;
    throw toMedsrError(err, { code: 'pixel.decode_failed', details: { file } });
  }
}
