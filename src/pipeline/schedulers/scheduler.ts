import type { SeededRng } from '../../shared/rng';

/**
 * A sampler over a variance-preserving noise schedule, with diffusers' semantics: a small object
 * whose timesteps are set per run, that turns a model output into the previous sample.
 */
export interface Scheduler {
  readonly name: string;
  /** Timesteps of the current run, strictly decreasing, within [0, tStart]. */
  readonly timesteps: readonly number[];
  /** Standard deviation of the initial noise (1 for a VP schedule). */
  readonly initNoiseSigma: number;
  /** Sets `steps` timesteps spread from t_start = round(initStrength * T) - 1 towards 0. */
  setTimesteps(steps: number, options: { initStrength: number }): void;
  /** What the model is fed for `sample` at t (identity for VP samplers). */
  scaleModelInput(sample: Float32Array, t: number): Float32Array;
  /** One reverse step from t to the next timestep (or to the clean sample after the last). */
  step(modelOutput: Float32Array, t: number, sample: Float32Array, rng?: SeededRng): Float32Array;
  /** q(x_t | x_0) = sqrt(abar_t) x0 + sqrt(1 - abar_t) noise. */
  addNoise(x0: Float32Array, noise: Float32Array, t: number): Float32Array;
}

export type PredictionType = 'epsilon' | 'v_prediction' | 'sample';

export interface NoiseScheduleConfig {
  num_train_timesteps: number;
  beta_schedule: 'linear' | 'scaled_linear' | 'squaredcos_cap_v2';
  beta_start: number;
  beta_end: number;
  prediction_type: PredictionType;
}
