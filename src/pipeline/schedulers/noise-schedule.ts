import { MedsrError } from '../../shared/errors';
import type { NoiseScheduleConfig, PredictionType } from './scheduler';

/** abar_t = prod_{i<=t} (1 - beta_i), float64, for diffusers' beta schedules. */
export function alphasCumprod(config: NoiseScheduleConfig): Float64Array {
  const T = config.num_train_timesteps;
  const betas = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const f = T === 1 ? 0 : i / (T - 1);
    switch (config.beta_schedule) {
      case 'linear':
        betas[i] = config.beta_start + f * (config.beta_end - config.beta_start);
        break;
      case 'scaled_linear': {
        const r = Math.sqrt(config.beta_start) + f * (Math.sqrt(config.beta_end) - Math.sqrt(config.beta_start));
        betas[i] = r * r;
        break;
      }
      case 'squaredcos_cap_v2': {
        const abar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
        betas[i] = Math.min(1 - abar((i + 1) / T) / abar(i / T), 0.999);
        break;
      }
    }
  }
  const out = new Float64Array(T);
  let prod = 1;
  for (let i = 0; i < T; i++) {
    prod *= 1 - betas[i]!;
    out[i] = prod;
  }
  return out;
}

/** Python's round(): halves go to the even neighbour (numpy's np.round too). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The contract's few-step start: t_start = round(s * T) - 1, then `steps` timesteps with
 * diffusers' "trailing" spacing restricted to [0, t_start]: round(n' - k n'/steps) - 1 with
 * n' = t_start + 1, k = 0..steps-1 (so the first is exactly t_start).
 */
export function trailingTimesteps(numTrainTimesteps: number, steps: number, initStrength: number): number[] {
  if (!(initStrength > 0 && initStrength <= 1)) throw new MedsrError('invalid_input', 'scheduler.strength', `init strength must be in (0, 1], got ${initStrength}`);
  if (!Number.isInteger(steps) || steps < 1) throw new MedsrError('invalid_input', 'scheduler.steps', `steps must be a positive integer, got ${steps}`);
  const tStart = Math.max(roundHalfEven(initStrength * numTrainTimesteps) - 1, 0);
  const span = tStart + 1;
  const n = Math.min(steps, span);
  return Array.from({ length: n }, (_, k) => roundHalfEven(span - (k * span) / n) - 1);
}

/** The clean-sample estimate and the noise estimate implied by a model output at abar. */
export function predictX0AndEps(type: PredictionType, out: Float32Array, sample: Float32Array, abar: number): { x0: Float64Array; eps: Float64Array } {
  const a = Math.sqrt(abar);
  const s = Math.sqrt(1 - abar);
  const n = sample.length;
  const x0 = new Float64Array(n);
  const eps = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = sample[i]!;
    const m = out[i]!;
    if (type === 'epsilon') {
      eps[i] = m;
      x0[i] = (x - s * m) / a;
    } else if (type === 'sample') {
      x0[i] = m;
      eps[i] = s > 0 ? (x - a * m) / s : 0;
    } else {
      // v = a * eps - s * x0
      x0[i] = a * x - s * m;
      eps[i] = a * m + s * x;
    }
  }
  return { x0, eps };
}

export function addNoiseAt(abar: number, x0: Float32Array, noise: Float32Array): Float32Array {
  const a = Math.sqrt(abar);
  const s = Math.sqrt(1 - abar);
  const out = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) out[i] = a * x0[i]! + s * noise[i]!;
  return out;
}
