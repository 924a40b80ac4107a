import { MedsrError } from '../../shared/errors';
import type { PixelDescription } from '../types';

/**
 * Turns raw sample words into stored values: the BitsStored bits ending at HighBit, sign-extended
 * when PixelRepresentation is 1. This is the one place that knows the bit layout of a sample.
 */
export function toStoredValues(raw: ArrayLike<number>, pixel: PixelDescription, shift: number, file: string): Int32Array {
  const out = new Int32Array(raw.length);
  const bits = pixel.bitsStored;
  const signed = pixel.pixelRepresentation === 1;
  if (bits === 32) {
    // no masking needed; unsigned 32-bit values above 2^31 do not fit the Int32 stored domain
    for (let i = 0; i < raw.length; i++) {
      const v = raw[i]!;
      if (!signed && v > 0x7fffffff) {
        throw new MedsrError('unsupported', 'pixel.out_of_range', `unsigned 32-bit stored value ${v} does not fit a signed 32-bit integer`, { file });
      }
      out[i] = v | 0;
    }
    return out;
  }
  const mask = bits === 31 ? 0x7fffffff : (1 << bits) - 1;
  if (signed) {
    const signBit = 2 ** (bits - 1);
    const range = 2 ** bits;
    for (let i = 0; i < raw.length; i++) {
      const v = (raw[i]! >>> shift) & mask;
      out[i] = v >= signBit ? v - range : v;
    }
  } else {
    for (let i = 0; i < raw.length; i++) out[i] = (raw[i]! >>> shift) & mask;
  }
  return out;
}

/**
 * Reads native (uncompressed) sample words from a frame's bytes in the given byte order. 1-bit
 * frames are unpacked (PS3.5 8.1.1: least significant bit first).
 */
export function readNativeWords(bytes: Uint8Array, bitsAllocated: number, count: number, bigEndian: boolean, bitOffset = 0): ArrayLike<number> {
  if (bitsAllocated === 1) {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const bit = bitOffset + i;
      out[i] = (bytes[bit >> 3]! >> (bit & 7)) & 1;
    }
    return out;
  }
  if (bitsAllocated === 8) return bytes.subarray(0, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bitsAllocated === 16) {
    if (!bigEndian && bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    const out = new Uint16Array(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, !bigEndian);
    return out;
  }
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, !bigEndian);
  return out;
}
