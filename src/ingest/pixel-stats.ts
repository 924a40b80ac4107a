import { decodeFrame } from './pixel-data';
import type { DicomInstance } from './types';

export interface PixelStats {
  min: number;
  max: number;
  mean: number;
}

/**
 * Min, max and mean over every frame, in modality units (Rescale Slope/Intercept applied; colour
 * samples as stored). Frames are decoded one at a time, so a long multi-frame stays small.
 */
export async function computePixelStats(instance: DicomInstance): Promise<PixelStats> {
  const { rescaleSlope: slope, rescaleIntercept: intercept, samplesPerPixel } = instance.pixel;
  const rescale = samplesPerPixel === 1;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  for (let f = 0; f < instance.pixel.frames; f++) {
    const { stored } = await decodeFrame(instance, f);
    for (let i = 0; i < stored.length; i++) {
      const v = stored[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    count += stored.length;
  }
  const mean = count > 0 ? sum / count : NaN;
  if (!rescale) return { min, max, mean };
  // the modality LUT is affine, so it maps the stored statistics exactly (a negative slope swaps ends)
  const a = min * slope + intercept;
  const b = max * slope + intercept;
  return { min: Math.min(a, b), max: Math.max(a, b), mean: mean * slope + intercept };
}
