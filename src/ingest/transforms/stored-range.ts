/** The stored values BitsStored and PixelRepresentation can hold (two's complement when signed). */
import { MedsrError } from '../../shared/errors';

export interface StoredRange {
  min: number;
  max: number;
}

export function storedRange(bitsStored: number, signed: boolean): StoredRange {
  if (!Number.isInteger(bitsStored) || bitsStored < 1 || bitsStored > 32) {
    throw new MedsrError('invalid_input', 'pixels.bits_stored', `BitsStored ${bitsStored} is outside 1..32`);
  }
  return signed ? { min: -(2 ** (bitsStored - 1)), max: 2 ** (bitsStored - 1) - 1 } : { min: 0, max: 2 ** bitsStored - 1 };
}

/** Rounds half away from zero (symmetric for signed data, unlike Math.round) and clamps into the range. */
export function roundAndClamp(value: number, range: StoredRange): number {
  const rounded = Math.sign(value) * Math.round(Math.abs(value));
  return rounded < range.min ? range.min : rounded > range.max ? range.max : rounded;
}
