/**
 * Per-slice affine normalisation into roughly [-1, 1] (docs/model-contract.md):
 * `percentile` puts this frame's low/high percentiles at -1/+1; `fixed` puts min/max at -1/+1.
 * Either way x_norm = (x - offset) / scale with offset the midpoint and scale the half-range.
 */
import { MedsrError } from '../../shared/errors';
import { percentiles } from './percentile';
import type { AppliedStep, NormalisationSpec, TransformStep } from './types';

type Normalise = Extract<AppliedStep, { name: 'normalise' }>;

export function normalisationRange(values: Float64Array, spec: NormalisationSpec): [number, number] {
  if (spec.kind === 'fixed') return [spec.min, spec.max];
  if (!(spec.low < spec.high)) {
    throw new MedsrError('invalid_input', 'transforms.normalise', `percentile low ${spec.low} must be below high ${spec.high}`);
  }
  const [low, high] = percentiles(values, [spec.low, spec.high]) as [number, number];
  return [low, high];
}

export const normaliseStep: TransformStep<Normalise> = {
  name: 'normalise',
  plan(values, { spec }) {
    const [low, high] = normalisationRange(values, spec);
    if (!(high >= low) || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new MedsrError('invalid_input', 'transforms.normalise', `normalisation range [${low}, ${high}] is empty`);
    }
    // A flat frame has no range: keep the offset so it maps to 0, and a unit scale so it stays invertible.
    const scale = high > low ? (high - low) / 2 : 1;
    return { name: 'normalise', offset: (low + high) / 2, scale, spec };
  },
  forward(values, { offset, scale }) {
    for (let i = 0; i < values.length; i++) values[i] = (values[i]! - offset) / scale;
  },
  inverse(values, { offset, scale }) {
    for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale + offset;
  },
};
