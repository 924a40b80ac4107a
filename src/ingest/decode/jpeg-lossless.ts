import { MedsrError } from '../../shared/errors';
import type { PixelDescription } from '../types';

/** jpeg-lossless-decoder-js ships no type declarations; this is the part medsr uses. */
interface LosslessDecoder {
  decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array | null;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Decoder } = require('jpeg-lossless-decoder-js') as { Decoder: new () => LosslessDecoder };

interface SofHeader {
  marker: number;
  precision: number;
  rows: number;
  columns: number;
  components: number;
}

/**
 * Finds the first SOF segment of a JPEG codestream (any process), so that the frame's claims can
 * be checked against the DICOM header before a decoder allocates anything.
 */
export function readSof(bytes: Uint8Array): SofHeader | undefined {
  let i = 2; // after SOI
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 10 > bytes.length) return undefined;
      return {
        marker,
        precision: bytes[i + 4]!,
        rows: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        columns: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    if (length < 2) return undefined;
    i += 2 + length;
  }
  return undefined;
}

export function jpegSofPrecision(bytes: Uint8Array): number | undefined {
  return readSof(bytes)?.precision;
}

/** JPEG lossless, process 14 (any predictor, SV1 included), with jpeg-lossless-decoder-js. */
export function decodeJpegLossless(encoded: Uint8Array, pixel: PixelDescription, file: string): Uint8Array | Uint16Array {
  const sof = readSof(encoded);
  if (!sof) throw new MedsrError('invalid_input', 'codec.corrupt', 'JPEG lossless frame has no SOF header', { file });
  if (sof.marker !== 0xc3 && sof.marker !== 0xc7) {
    throw new MedsrError('invalid_input', 'codec.corrupt', `JPEG lossless transfer syntax holds a non-lossless frame (SOF marker 0x${sof.marker.toString(16)})`, { file });
  }
  if (sof.rows !== pixel.rows || sof.columns !== pixel.columns || sof.components !== pixel.samplesPerPixel) {
    throw new MedsrError(
      'invalid_input',
      'codec.size_mismatch',
      `JPEG lossless frame is ${sof.columns} x ${sof.rows} x ${sof.components}, the DICOM header says ${pixel.columns} x ${pixel.rows} x ${pixel.samplesPerPixel}`,
      { file },
    );
  }
  if (sof.precision < 2 || sof.precision > 16) throw new MedsrError('invalid_input', 'codec.corrupt', `JPEG lossless precision ${sof.precision}`, { file });
  const numBytes = sof.precision > 8 || pixel.bitsAllocated > 8 ? 2 : 1;
  try {
    const copy = new Uint8Array(encoded); // its own ArrayBuffer (Buffer.slice would share the pool)
    const out = new Decoder().decode(copy.buffer, 0, copy.byteLength, numBytes);
    const expected = pixel.rows * pixel.columns * pixel.samplesPerPixel;
    if (!out || out.length < expected) throw new Error(`decoded ${out?.length ?? 0} of ${expected} samples`);
    return out.subarray(0, expected);
  } catch (err) {
    throw new MedsrError('invalid_input', 'codec.corrupt', `JPEG lossless codestream could not be decoded: ${(err as Error).message}`, { file }, { cause: err });
  }
}
