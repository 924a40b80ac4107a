import { MedsrError } from '../../shared/errors';
import type { SeededRng } from '../../shared/rng';
import { VpScheduler } from './base-scheduler';
import { predictX0AndEps } from './noise-schedule';

/**
 * DDPM ancestral sampling (what the model is trained for), diffusers' DDPMScheduler over custom
 * timesteps: the posterior q(x_prev | x_t, x0) mean plus "fixed_small" variance noise drawn
 * from the run's seeded RNG.
 */
export class DdpmScheduler extends VpScheduler {
  readonly name = 'ddpm';

  step(modelOutput: Float32Array, t: number, sample: Float32Array, rng?: SeededRng): Float32Array {
    const { prev } = this.neighbours(t);
    const aT = this.alphaCumprod(t);
    const aPrev = this.alphaCumprod(prev);
    const { x0 } = predictX0AndEps(this.config.prediction_type, modelOutput, sample, aT);
    const currentAlpha = aT / aPrev;
    const currentBeta = 1 - currentAlpha;
    const cx0 = (Math.sqrt(aPrev) * currentBeta) / (1 - aT);
    const cxt = (Math.sqrt(currentAlpha) * (1 - aPrev)) / (1 - aT);
    const variance = Math.max(((1 - aPrev) / (1 - aT)) * currentBeta, 1e-20);
    const noisy = t > 0 && prev >= 0;
    if (noisy && !rng) throw new MedsrError('internal', 'scheduler.rng', 'the ddpm scheduler needs a seeded RNG for its noise');
    const std = Math.sqrt(variance);
    const out = new Float32Array(sample.length);
    for (let i = 0; i < out.length; i++) {
      const mean = cx0 * x0[i]! + cxt * sample[i]!;
      out[i] = noisy ? mean + std * rng!.nextGaussian() : mean;
    }
    return out;
  }
}
