import { PNG } from 'pngjs';
import type { DecodedFrame, PixelDescription } from '../ingest/types';
import { MedsrError } from '../shared/errors';

export interface Grey16Png {
  png: Buffer;
  /** Added to each stored value to make it unsigned (signed data only). */
  valueOffset: number;
}

function encodeGrey16(width: number, height: number, values: Uint16Array): Buffer {
  const png = new PNG({ width, height, bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = values as unknown as Buffer; // pngjs takes 16-bit samples as a Uint16Array
  return PNG.sync.write(png, { bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

function assertGrey(frame: DecodedFrame): void {
  if (frame.samplesPerPixel !== 1) throw new MedsrError('unsupported', 'png.colour', 'PNG export is for greyscale images');
}

/**
 * The stored values themselves as a 16-bit greyscale PNG, for analysis: nothing windowed or
 * rescaled. Signed data is shifted by 2^(BitsStored-1) so it fits; the offset is returned (and
 * sent as a header) so callers can undo it.
 */
export function storedValuesPng(frame: DecodedFrame, pixel: Pick<PixelDescription, 'bitsStored' | 'pixelRepresentation'>): Grey16Png {
  assertGrey(frame);
  const valueOffset = pixel.pixelRepresentation === 1 ? 2 ** (Math.min(pixel.bitsStored, 16) - 1) : 0;
  const values = new Uint16Array(frame.stored.length);
  for (let i = 0; i < values.length; i++) values[i] = Math.max(0, Math.min(65535, (frame.stored[i] as number) + valueOffset));
  return { png: encodeGrey16(frame.columns, frame.rows, values), valueOffset };
}

/**
 * A display preview: modality values windowed between their 0.5th and 99.5th percentiles (so a
 * few extreme pixels do not wash the image out), MONOCHROME1 inverted, scaled to 16 bits.
 */
export function previewPng(frame: DecodedFrame, pixel: Pick<PixelDescription, 'rescaleSlope' | 'rescaleIntercept'>): Buffer {
  assertGrey(frame);
  const n = frame.stored.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = (frame.stored[i] as number) * pixel.rescaleSlope + pixel.rescaleIntercept;
  const sorted = Float64Array.from(values).sort();
  const lo = sorted[Math.floor(0.005 * (n - 1))] ?? 0;
  const hi = sorted[Math.ceil(0.995 * (n - 1))] ?? 1;
  const range = hi > lo ? hi - lo : 1;
  const invert = frame.photometricInterpretation === 'MONOCHROME1';
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.max(0, Math.min(1, ((values[i] as number) - lo) / range));
    out[i] = Math.round((invert ? 1 - t : t) * 65535);
  }
  return encodeGrey16(frame.columns, frame.rows, out);
}
