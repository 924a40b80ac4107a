import { MedsrError } from '../../shared/errors';
import { degrade } from '../degrade';
import type { AutoConsistency, DegradationMode, SamplingGrid } from '../manifest';
import { relativeError, type Plane } from '../plane';
import { areaConsistency } from './area';
import { flooredInput, kspaceConsistency } from './kspace';
import { lowbandConsistency, lowbandResidual } from './lowband';
import type { ResamplerMix } from '../resample/resamplers';
import { resampledConsistency } from './resampled';

export interface ConsistencyResult {
  image: Plane;
  /** ||A(image) - lr|| / ||lr|| after the projection (auto: the same over the band it enforces). */
  residual: number;
}

export interface ConsistencyOptions {
  /** Gaussian sigma (HR pixels) of the area degradation: the manifest's `degradations.ct.blur_sigma_px`. */
  blurSigma: number;
  /** The model's `auto` projection (manifest `consistency.auto`); required for mode `auto`. */
  auto?: AutoConsistency | undefined;
  /** The slice's modality: picks the auto projection's sampling grid. */
  modality?: string;
  /**
   * The normalised value of the lowest value the input's file can store (an unsigned MR file's 0), when known: the
   * k-space projection reads an input pixel there as that value or less (kspace.ts `flooredInput`).
   */
  storageFloor?: number | undefined;
  /** How far below that floor a pixel stored at it is held, per unit of its neighbourhood's largest value (manifest `consistency.floor_depth`). */
  floorDepth?: number | undefined;
  /** Which downsampler(s) the resampled path projects onto (resample/resamplers.ts); the contract's bicubic when absent. */
  resampler?: ResamplerMix | undefined;
}

/** Makes `out` agree with the LR input under degradation mode `kind`, and measures how well it does. */
export function applyConsistency(out: Plane, lr: Plane, scale: number, kind: DegradationMode, options: ConsistencyOptions): ConsistencyResult {
  const image = projectOntoInput(out, lr, scale, kind, options);
  return { image, residual: consistencyResidual(image, lr, scale, kind, options) };
}

/** The projection alone, for callers that measure the residual once on a combination (the mean of K samples). */
export function projectOntoInput(out: Plane, lr: Plane, scale: number, kind: DegradationMode, options: ConsistencyOptions): Plane {
  switch (kind) {
    case 'auto':
      return lowbandConsistency(out, lr, autoBand(options), autoGrid(options));
    case 'kspace':
      return kspaceConsistency(out, lr, { floor: options.storageFloor, floorDepth: options.floorDepth ?? 0 });
    case 'area':
      return areaConsistency(out, lr, scale, options.blurSigma);
    case 'bicubic':
      return resampledConsistency(out, lr, scale, options.resampler);
  }
}

export function consistencyResidual(image: Plane, lr: Plane, scale: number, kind: DegradationMode, options: ConsistencyOptions): number {
  if (kind === 'auto') return lowbandResidual(image, lr, autoBand(options), autoGrid(options));
  const degraded = degrade(image, scale, kind, { blurSigma: options.blurSigma, resampler: options.resampler });
  // k-space: against what the input's file says (at its storage floor: that value or less)
  const enforced = kind === 'kspace' ? flooredInput(degraded, lr, options.storageFloor, options.floorDepth) : lr;
  return relativeError(degraded.data, enforced.data);
}

function autoGrid(options: ConsistencyOptions): SamplingGrid {
  const grid = autoBand(options).grid;
  return grid[(options.modality ?? '').toUpperCase()] ?? grid.default;
}

function autoBand(options: ConsistencyOptions): AutoConsistency {
  if (!options.auto) throw new MedsrError('invalid_input', 'upscale.degradation', "this model has no 'auto' projection: pass the degradation (kspace, area or bicubic)");
  return options.auto;
}
