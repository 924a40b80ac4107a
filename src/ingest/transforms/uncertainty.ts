/**
 * The per-pixel standard deviation (uncertainty map) back in modality units, stored as 16-bit
 * unsigned with a RescaleSlope chosen so the largest std of all frames fits (where the IOD has one). Only the scale of the
 * affine steps matters for a spread: offsets and the MONOCHROME1 mirror do not change it.
 */
import { MedsrError } from '../../shared/errors';
import { heightOf, widthOf, type Tensor } from '../../shared/tensor';
import type { AppliedStep } from './types';

export interface UncertaintyRepresentation {
  bitsStored: number;
  signed: boolean;
  rescaleSlope: number;
  rescaleIntercept: number;
}

export interface StoredUncertainty {
  frames: Int32Array[];
  pixelRepresentation: UncertaintyRepresentation;
}

const BITS = 16;
const MAX_STORED = 2 ** BITS - 1;

/** Std in modality units: std_norm times the normalisation scale (modality LUT and mirror keep spreads). */
export function stdToModalityUnits(std: Tensor, steps: readonly AppliedStep[]): Float64Array {
  const size = heightOf(std) * widthOf(std);
  const factor = steps.reduce((f, step) => (step.name === 'normalise' ? f * Math.abs(step.scale) : f), 1);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const v = std.data[i]!;
    if (!Number.isFinite(v) || v < 0) {
      throw new MedsrError('internal', 'transforms.uncertainty', `standard deviation ${v} at index ${i} is not a finite non-negative number`);
    }
    out[i] = v * factor;
  }
  return out;
}

/** Rounds up to 4 significant digits, so the slope survives DICOM's 16-character DS exactly. */
function ceilToSignificant(x: number, digits: number): number {
  const magnitude = 10 ** (Math.floor(Math.log10(x)) - digits + 1);
  return Number((Math.ceil(x / magnitude - 1e-9) * magnitude).toPrecision(digits));
}

export interface UncertaintyStorageOptions {
  /**
   * False for IODs without a Modality LUT (legacy MR Image): then the map is stored with slope 1,
   * i.e. rounded to whole modality units, the same quantisation as the image it describes.
   */
  allowRescale?: boolean;
}

export function uncertaintyToStored(
  frames: ReadonlyArray<{ std: Tensor; steps: readonly AppliedStep[] }>,
  { allowRescale = true }: UncertaintyStorageOptions = {},
): StoredUncertainty {
  const modality = frames.map(({ std, steps }) => stdToModalityUnits(std, steps));
  const largest = modality.reduce((m, values) => values.reduce((a, v) => (v > a ? v : a), m), 0);
  const rescaleSlope = allowRescale && largest > 0 ? ceilToSignificant(largest / MAX_STORED, 4) : 1;
  const stored = modality.map((values) => {
    const out = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Math.min(MAX_STORED, Math.round(values[i]! / rescaleSlope));
    return out;
  });
  return { frames: stored, pixelRepresentation: { bitsStored: BITS, signed: false, rescaleSlope, rescaleIntercept: 0 } };
}
