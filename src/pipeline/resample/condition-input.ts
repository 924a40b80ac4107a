import { upsamplingFor, type Degradation, type Manifest } from '../manifest';
import type { Plane } from '../plane';
import { bicubicUpsample } from './bicubic';
import { zeroFillUpsample } from './zero-fill';

/**
 * x_up, the upsampled LR slice both networks are conditioned on, made the way the model was
 * trained for this degradation: zero-filled Fourier for k-space data in models that say so
 * (it keeps every measured frequency exactly), the contract's bicubic otherwise.
 */
export function conditionInput(manifest: Manifest, lr: Plane, scale: number, degradation: Degradation): Plane {
  return upsamplingFor(manifest, degradation) === 'zero_fill' ? zeroFillUpsample(lr, scale) : bicubicUpsample(lr, scale);
}
