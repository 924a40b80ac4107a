import { MedsrError } from '../../shared/errors';
import type { SeededRng } from '../../shared/rng';
import { addNoiseAt, alphasCumprod, trailingTimesteps } from './noise-schedule';
import type { NoiseScheduleConfig, Scheduler } from './scheduler';

/** What every VP sampler shares: the schedule, the timesteps, q(x_t | x_0). Subclasses own `step`. */
export abstract class VpScheduler implements Scheduler {
  abstract readonly name: string;
  readonly initNoiseSigma = 1;
  protected readonly abar: Float64Array;
  private ts: number[] = [];

  constructor(protected readonly config: NoiseScheduleConfig) {
    this.abar = alphasCumprod(config);
  }

  get timesteps(): readonly number[] {
    return this.ts;
  }

  setTimesteps(steps: number, options: { initStrength: number }): void {
    this.ts = trailingTimesteps(this.config.num_train_timesteps, steps, options.initStrength);
    this.reset();
  }

  /** Clears per-run state (multistep history). */
  protected reset(): void {}

  scaleModelInput(sample: Float32Array): Float32Array {
    return sample;
  }

  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array {
    return addNoiseAt(this.alphaCumprod(t), x0, noise);
  }

  /** abar_t, with abar_{-1} = 1 (the clean end: diffusers' set_alpha_to_one / final sigma zero). */
  alphaCumprod(t: number): number {
    if (t < 0) return 1;
    const v = this.abar[t];
    if (v === undefined) throw new MedsrError('invalid_input', 'scheduler.timestep', `timestep ${t} outside [0, ${this.abar.length - 1}]`);
    return v;
  }

  /** Position of t in this run and the timestep after it (-1 after the last). */
  protected neighbours(t: number): { index: number; prev: number } {
    const index = this.ts.indexOf(t);
    if (index < 0) throw new MedsrError('internal', 'scheduler.timestep', `timestep ${t} is not one of this run's [${this.ts.join(', ')}]`);
    return { index, prev: this.ts[index + 1] ?? -1 };
  }

  abstract step(modelOutput: Float32Array, t: number, sample: Float32Array, rng?: SeededRng): Float32Array;
}
