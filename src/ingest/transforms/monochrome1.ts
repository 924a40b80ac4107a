/**
 * MONOCHROME1 (minimum value shown white) mirrored into MONOCHROME2 semantics, so the model always
 * sees "bright = high". The mirror maps the representable modality range onto itself
 * (x' = lowest + highest - x), so fixed ranges such as CT's HU window still apply afterwards.
 */
import type { AppliedStep, TransformStep } from './types';
import { storedRange } from './stored-range';

type Monochrome1 = Extract<AppliedStep, { name: 'monochrome1' }>;

export const monochrome1Step: TransformStep<Monochrome1> = {
  name: 'monochrome1',
  plan(_values, { pixel, photometricInterpretation }) {
    if (photometricInterpretation.trim() !== 'MONOCHROME1') return undefined;
    const range = storedRange(pixel.bitsStored, pixel.pixelRepresentation === 1);
    const ends = [range.min, range.max].map((v) => v * pixel.rescaleSlope + pixel.rescaleIntercept);
    return { name: 'monochrome1', pivot: ends[0]! + ends[1]! };
  },
  forward(values, { pivot }) {
    for (let i = 0; i < values.length; i++) values[i] = pivot - values[i]!;
  },
  // A mirror is its own inverse.
  inverse(values, { pivot }) {
    for (let i = 0; i < values.length; i++) values[i] = pivot - values[i]!;
  },
};
