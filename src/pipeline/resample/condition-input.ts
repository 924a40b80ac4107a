import { upsamplingFor, type DegradationMode, type Manifest } from '../manifest';
import type { Plane } from '../plane';
import { bicubicUpsample } from './bicubic';
import { zeroFillUpsample } from './zero-fill';

/**
 * x_up, the upsampled LR slice both networks are conditioned on, made the way the model was
 * trained: zero-filled Fourier where the manifest says (MR in model 2.0: exact for k-space data, a
 * sinc interpolation for resampled data), the contract's bicubic otherwise.
 */
export function conditionInput(manifest: Manifest, lr: Plane, scale: number, modality: string, mode: DegradationMode): Plane {
  return upsamplingFor(manifest, modality, mode) === 'zero_fill' ? zeroFillUpsample(lr, scale) : bicubicUpsample(lr, scale);
}
