import { MedsrError } from '../../shared/errors';
import type { Codec } from '../transfer-syntax';
import type { PixelDescription } from '../types';
import { decodeJpeg12 } from './jpeg12';
import { decodeJpegLossless, jpegSofPrecision } from './jpeg-lossless';
import { decodeRle } from './rle';
import { CHARLS, LIBJPEG_TURBO, OPENJPEG, OPENJPH, decodeWithWasm, type CodecHandle } from './wasm-codec';

/** What a codec gives back: raw sample words and how they are laid out. */
export interface CodecOutput {
  words: ArrayLike<number>;
  /** Samples of a pixel are adjacent (RGB RGB); otherwise one plane per sample. */
  interleaved: boolean;
  /** Photometric interpretation of the words (a JPEG decoder may already have converted YBR to RGB). */
  photometric: string;
}

/** Decodes one compressed frame to sample words; every failure is a MedsrError naming the file. */
export async function decodeCompressed(codec: Codec, encoded: Uint8Array, pixel: PixelDescription, file: string): Promise<CodecOutput> {
  const { rows, columns, samplesPerPixel: spp, bitsAllocated } = pixel;
  const maxDecodedBytes = rows * columns * spp * Math.max(1, Math.ceil(bitsAllocated / 8));
  switch (codec) {
    case 'rle':
      return { words: decodeRle(encoded, rows, columns, spp, bitsAllocated, file), interleaved: true, photometric: pixel.photometricInterpretation };
    case 'jpeg-lossless':
      return { words: decodeJpegLossless(encoded, pixel, file), interleaved: true, photometric: pixel.photometricInterpretation };
    case 'jpeg-baseline':
    case 'jpeg-extended': {
      const precision = jpegSofPrecision(encoded);
      if (precision !== undefined && precision > 8) {
        // libjpeg-turbo's WASM build is 8-bit only: 12-bit (process 4) has its own decoder
        return { words: decodeJpeg12(encoded, rows, columns, file), interleaved: true, photometric: pixel.photometricInterpretation };
      }
      const rgbAsStored = spp === 3 && pixel.photometricInterpretation === 'RGB';
      const out = await runWasm(LIBJPEG_TURBO, rgbAsStored ? markAsRgb(encoded) : encoded, pixel, file, maxDecodedBytes);
      // libjpeg converts YCbCr to RGB while decoding, whatever the DICOM header calls it
      return { ...out, photometric: spp === 3 ? 'RGB' : pixel.photometricInterpretation };
    }
    case 'jpeg-ls':
      return runWasm(CHARLS, encoded, pixel, file, maxDecodedBytes);
    case 'jpeg2000':
    case 'htj2k': {
      const out = await runWasm(codec === 'htj2k' ? OPENJPH : OPENJPEG, encoded, pixel, file, maxDecodedBytes);
      // the decoder undoes the codestream's component transform (RCT/ICT)
      const mct = pixel.photometricInterpretation === 'YBR_RCT' || pixel.photometricInterpretation === 'YBR_ICT';
      return { ...out, photometric: mct ? 'RGB' : pixel.photometricInterpretation };
    }
    case 'native':
      throw new MedsrError('internal', 'codec.native', 'native pixel data reached the compressed path', { file });
  }
}

/**
 * A JPEG without JFIF or Adobe markers says nothing about its colour space, and libjpeg then
 * assumes YCbCr. When DICOM says the components are RGB (no colour transform, PS3.5 8.2.1), an
 * Adobe APP14 segment with transform 0 tells libjpeg so, as GDCM and DCMTK decide from the header.
 */
export function markAsRgb(encoded: Uint8Array): Uint8Array {
  for (let i = 2; i + 4 <= encoded.length && encoded[i] === 0xff; ) {
    const marker = encoded[i + 1]!;
    if (marker === 0xe0 || marker === 0xee) return encoded; // JFIF or Adobe: the codestream says
    if (marker === 0xda || (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xcc)) break;
    i += 2 + ((encoded[i + 2]! << 8) | encoded[i + 3]!);
  }
  const adobe = [0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00];
  const out = new Uint8Array(encoded.length + adobe.length);
  out.set(encoded.subarray(0, 2));
  out.set(adobe, 2);
  out.set(encoded.subarray(2), 2 + adobe.length);
  return out;
}

async function runWasm(handle: CodecHandle, encoded: Uint8Array, pixel: PixelDescription, file: string, maxDecodedBytes: number): Promise<CodecOutput> {
  const { info, bytes, interleaveMode } = await decodeWithWasm(handle, encoded, file, maxDecodedBytes);
  if (info.width !== pixel.columns || info.height !== pixel.rows || info.componentCount !== pixel.samplesPerPixel) {
    throw new MedsrError(
      'invalid_input',
      'codec.size_mismatch',
      `${handle.name} codestream is ${info.width} x ${info.height} x ${info.componentCount}, the DICOM header says ${pixel.columns} x ${pixel.rows} x ${pixel.samplesPerPixel}`,
      { file },
    );
  }
  const samples = info.width * info.height * info.componentCount;
  const wide = info.bitsPerSample > 8;
  if (bytes.length < samples * (wide ? 2 : 1)) {
    throw new MedsrError('invalid_input', 'codec.corrupt', `${handle.name} decoder returned ${bytes.length} bytes for ${samples} samples`, { file });
  }
  const aligned = bytes.byteOffset % 2 === 0 ? bytes : bytes.slice();
  const words = !wide ? aligned.subarray(0, samples) : info.isSigned ? new Int16Array(aligned.buffer, aligned.byteOffset, samples) : new Uint16Array(aligned.buffer, aligned.byteOffset, samples);
  // CharLS with interleave mode "none" (0) returns one plane per component
  const interleaved = !(handle === CHARLS && interleaveMode === 0 && info.componentCount > 1);
  return { words, interleaved, photometric: pixel.photometricInterpretation };
}
