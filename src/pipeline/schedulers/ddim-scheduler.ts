import { VpScheduler } from './base-scheduler';
import { predictX0AndEps } from './noise-schedule';

/**
 * DDIM with eta = 0 (deterministic): x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps
 * (diffusers' DDIMScheduler, set_alpha_to_one, no clipping). The last step returns x0.
 */
export class DdimScheduler extends VpScheduler {
  readonly name = 'ddim';

  step(modelOutput: Float32Array, t: number, sample: Float32Array): Float32Array {
    const { prev } = this.neighbours(t);
    const { x0, eps } = predictX0AndEps(this.config.prediction_type, modelOutput, sample, this.alphaCumprod(t));
    const aPrev = this.alphaCumprod(prev);
    const a = Math.sqrt(aPrev);
    const s = Math.sqrt(1 - aPrev);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) out[i] = a * x0[i]! + s * eps[i]!;
    return out;
  }
}
