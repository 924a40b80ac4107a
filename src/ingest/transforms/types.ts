/**
 * Shapes of the pixel-transform chain: stored values -> modality values -> MONOCHROME2 semantics ->
 * normalised float32 (docs/model-contract.md, "Pixel domain"). Every step that runs records its
 * parameters as an AppliedStep (plain JSON, so it can travel with a job), and the same record
 * undoes it.
 */
import type { Tensor } from '../../shared/tensor';
import type { PixelDescription } from '../types';

/** How modality values map to [-1, 1]: this frame's percentiles, or a fixed range (e.g. CT HU). */
export type NormalisationSpec =
  | { kind: 'percentile'; low: number; high: number }
  | { kind: 'fixed'; min: number; max: number };

export type AppliedStep =
  /** modality = stored * slope + intercept */
  | { name: 'modality-lut'; slope: number; intercept: number }
  /** MONOCHROME1 shown as MONOCHROME2: x' = pivot - x, pivot = lowest + highest representable modality value */
  | { name: 'monochrome1'; pivot: number }
  /** x_norm = (x - offset) / scale */
  | { name: 'normalise'; offset: number; scale: number; spec: NormalisationSpec };

export type StepName = AppliedStep['name'];

export interface Conditioning {
  /** [1, 1, rows, columns] float32 in the normalised domain. */
  tensor: Tensor;
  /** In the order they ran; fromConditioning undoes them in reverse. */
  steps: AppliedStep[];
}

export interface StepContext {
  pixel: PixelDescription;
  photometricInterpretation: string;
  spec: NormalisationSpec;
}

/** One small invertible transform. Values are transformed in place, in float64. */
export interface TransformStep<S extends AppliedStep = AppliedStep> {
  readonly name: S['name'];
  /** This frame's parameters, or undefined when the step does not apply (then it is not recorded). */
  plan(values: Float64Array, context: StepContext): S | undefined;
  forward(values: Float64Array, applied: S): void;
  inverse(values: Float64Array, applied: S): void;
}
