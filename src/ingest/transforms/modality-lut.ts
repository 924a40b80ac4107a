/** Modality LUT as a linear rescale (PS3.3 C.11.1): modality value = stored * slope + intercept. */
import { MedsrError } from '../../shared/errors';
import type { AppliedStep, TransformStep } from './types';

type ModalityLut = Extract<AppliedStep, { name: 'modality-lut' }>;

export const modalityLutStep: TransformStep<ModalityLut> = {
  name: 'modality-lut',
  plan(_values, { pixel }) {
    const { rescaleSlope: slope, rescaleIntercept: intercept } = pixel;
    if (!Number.isFinite(slope) || slope === 0 || !Number.isFinite(intercept)) {
      throw new MedsrError('invalid_input', 'pixels.rescale', `RescaleSlope ${slope} / RescaleIntercept ${intercept} cannot be inverted`);
    }
    return { name: 'modality-lut', slope, intercept };
  },
  forward(values, { slope, intercept }) {
    for (let i = 0; i < values.length; i++) values[i] = values[i]! * slope + intercept;
  },
  inverse(values, { slope, intercept }) {
    for (let i = 0; i < values.length; i++) values[i] = (values[i]! - intercept) / slope;
  },
};
