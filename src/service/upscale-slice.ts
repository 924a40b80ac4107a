/**
 * The one-slice use case behind POST /api/v1/upscale: Part 10 bytes in, the derived DICOM (or a
 * 16-bit PNG of its stored values) out. The PNG is made from the pixels the processor kept in
 * memory, never by parsing and decoding the file it has just written.
 */
import { readDicomBytes } from '../ingest';
import { throwIfCancelled } from '../shared/errors';
import { storedValuesPng } from './png';
import type { DerivedPixels, SliceProcessor, UpscaleOptions } from './ports';

export type SliceFormat = 'dicom' | 'png';

interface AnswerCommon {
  /** How the degradation was handled, as DerivationDescription records it. */
  degradation?: string;
}

export type SliceAnswer =
  | (AnswerCommon & { format: 'dicom'; body: Uint8Array })
  | (AnswerCommon & {
      format: 'png';
      body: Buffer;
      /** Added to each stored value to make it unsigned (signed data only). */
      valueOffset: number;
      rescaleSlope: number;
      rescaleIntercept: number;
    });

export interface SliceRequestOptions {
  format: SliceFormat;
  /** Aborted when the caller goes away: a queued slice is dropped, a running one stopped. */
  signal?: AbortSignal;
}

export type UpscaleSlice = (bytes: Uint8Array, options: UpscaleOptions, request: SliceRequestOptions) => Promise<SliceAnswer>;

/** The first frame's stored values as a 16-bit greyscale PNG (what the route answers for Accept: image/png). */
export function derivedPng(pixels: DerivedPixels): Pick<Extract<SliceAnswer, { format: 'png' }>, 'body' | 'valueOffset' | 'rescaleSlope' | 'rescaleIntercept'> {
  const { rows, columns, photometricInterpretation, rescaleSlope, rescaleIntercept } = pixels;
  const frame = { rows, columns, samplesPerPixel: 1, photometricInterpretation, stored: pixels.frames[0]! };
  const { png, valueOffset } = storedValuesPng(frame, pixels);
  return { body: png, valueOffset, rescaleSlope, rescaleIntercept };
}

/** `processor` is what varies: the model's (runtime.processor) or a test's stand-in. */
export function createSliceUpscaler(processor: SliceProcessor): UpscaleSlice {
  return async (bytes, options, { format, signal }) => {
    throwIfCancelled(signal);
    const instance = readDicomBytes(bytes, { path: 'request', label: 'request body' });
    const output = await processor(instance, { options, ...(signal ? { signal } : {}) });
    const common = output.degradation ? { degradation: output.degradation } : {};
    if (format === 'png') return { format, ...common, ...derivedPng(output.derivedPixels) };
    return { format, ...common, body: output.derived };
  };
}
