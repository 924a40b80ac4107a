import { SeededRng } from '../../../src/shared/rng';
import { createScheduler, SCHEDULER_NAMES, type PredictionType, type Scheduler } from '../../../src/pipeline/schedulers';
import type { SchedulerConfig } from '../../../src/pipeline/manifest';

/**
 * One contract every scheduler passes, on an analytic data distribution: x0 ~ N(mu, s^2) per
 * element, for which E[x0 | x_t] is known in closed form and so an exact "model" exists for each
 * prediction type. The probability-flow ODE is also exact there: x/alpha = mu + sqrt(s^2 +
 * (sigma/alpha)^2) xi along a trajectory, which is what deterministic samplers converge to.
 */
const T = 1000;
const config = (prediction: PredictionType): SchedulerConfig => ({
  type: 'ddim', num_train_timesteps: T, beta_schedule: 'scaled_linear', beta_start: 0.00085, beta_end: 0.012,
  prediction_type: prediction, init_strength: 0.3, default_steps: 4, default_guidance: 1,
});

/** scaled_linear abar written out independently of the implementation. */
const abarCache = new Map<number, number>();
function referenceAbar(t: number): number {
  const hit = abarCache.get(t);
  if (hit !== undefined) return hit;
  let prod = 1;
  for (let i = 0; i <= t; i++) {
    const b = (Math.sqrt(0.00085) + (i / (T - 1)) * (Math.sqrt(0.012) - Math.sqrt(0.00085))) ** 2;
    prod *= 1 - b;
  }
  abarCache.set(t, prod);
  return prod;
}

/** The exact denoiser for Gaussian data, expressed as the model output of `prediction`. */
function oracle(prediction: PredictionType, mu: number, s: number) {
  return (x: Float32Array, t: number): Float32Array => {
    const abar = referenceAbar(t);
    const a = Math.sqrt(abar);
    const sig = Math.sqrt(1 - abar);
    const out = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const x0 = mu + ((a * s * s) / (a * a * s * s + sig * sig)) * (x[i]! - a * mu);
      const eps = (x[i]! - a * x0) / sig;
      out[i] = prediction === 'sample' ? x0 : prediction === 'epsilon' ? eps : a * eps - sig * x0;
    }
    return out;
  };
}

function sample(scheduler: Scheduler, prediction: PredictionType, mu: number, s: number, steps: number, strength: number, seed: number) {
  const n = 20000;
  const rng = new SeededRng(seed);
  scheduler.setTimesteps(steps, { initStrength: strength });
  const x0 = new Float32Array(n).map(() => mu + s * rng.nextGaussian());
  const noise = rng.fillGaussian(new Float32Array(n));
  const tStart = scheduler.timesteps[0]!;
  let x = scheduler.addNoise(x0, noise, tStart);
  const abar = referenceAbar(tStart);
  const sbar = Math.sqrt((1 - abar) / abar);
  // the exact probability-flow endpoint of each trajectory
  const exact = new Float32Array(n).map((_, i) => mu + (s / Math.sqrt(s * s + sbar * sbar)) * (x[i]! / Math.sqrt(abar) - mu));
  const model = oracle(prediction, mu, s);
  for (const t of scheduler.timesteps) x = scheduler.step(model(scheduler.scaleModelInput(x, t), t), t, x, rng);
  return { x, exact };
}

const stats = (x: Float32Array) => {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
  return { mean, sd };
};
const rms = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((acc, v, i) => acc + (v - b[i]!) ** 2, 0) / a.length);

describe.each(SCHEDULER_NAMES)('scheduler %s', (name) => {
  describe.each<PredictionType>(['epsilon', 'v_prediction', 'sample'])('predicting %s', (prediction) => {
    const make = () => createScheduler(config(prediction), name);

    it('spaces timesteps strictly decreasing from t_start = round(s T) - 1 within [0, t_start]', () => {
      const sch = make();
      for (const [steps, strength] of [[4, 0.3], [1, 0.3], [7, 1], [50, 0.05], [3, 0.5]] as const) {
        sch.setTimesteps(steps, { initStrength: strength });
        const ts = sch.timesteps;
        const tStart = Math.round(strength * T) - 1;
        expect(ts[0]).toBe(tStart);
        expect(ts.length).toBe(Math.min(steps, tStart + 1));
        ts.forEach((t, i) => {
          expect(Number.isInteger(t)).toBe(true);
          expect(t).toBeGreaterThanOrEqual(0);
          if (i > 0) expect(t).toBeLessThan(ts[i - 1]!);
        });
      }
    });

    it('adds noise by alphas_cumprod', () => {
      const sch = make();
      const x0 = new Float32Array([1, -2, 0.5]);
      const noise = new Float32Array([0.3, 1, -1]);
      for (const t of [0, 299, 999]) {
        const a = referenceAbar(t);
        const got = sch.addNoise(x0, noise, t);
        got.forEach((v, i) => expect(v).toBeCloseTo(Math.sqrt(a) * x0[i]! + Math.sqrt(1 - a) * noise[i]!, 5));
      }
      // Stable Diffusion's schedule ends at abar_999 = 0.00466...
      expect(referenceAbar(999)).toBeCloseTo(0.00466, 4);
    });

    it('returns the data exactly when the data is a point', () => {
      const { x } = sample(make(), prediction, 0.7, 0, 4, 0.3, 1);
      x.forEach((v) => expect(Math.abs(v - 0.7)).toBeLessThan(1e-4));
    });

    it('recovers the mean of a Gaussian data distribution from t_start', () => {
      for (const strength of [0.3, 1]) {
        const { x } = sample(make(), prediction, 0.3, 0.5, 8, strength, 2);
        const st = stats(x);
        expect(Math.abs(st.mean - 0.3)).toBeLessThan(0.02);
        expect(st.sd).toBeGreaterThan(0.25);
        expect(st.sd).toBeLessThan(0.55);
      }
    });

    it('is reproducible for a seed', () => {
      const a = sample(make(), prediction, 0.3, 0.5, 4, 0.3, 3).x;
      const b = sample(make(), prediction, 0.3, 0.5, 4, 0.3, 3).x;
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    });
  });
});

describe('deterministic samplers follow the probability-flow ODE', () => {
  it.each(['ddim', 'dpmsolver++'])('%s converges to the exact ODE endpoint as steps grow', (name) => {
    const errors = [2, 8, 32].map((steps) => {
      const { x, exact } = sample(createScheduler(config('v_prediction'), name), 'v_prediction', 0.3, 0.5, steps, 1, 4);
      return rms(x, exact);
    });
    expect(errors[1]!).toBeLessThan(errors[0]!);
    expect(errors[2]!).toBeLessThan(errors[1]!);
    expect(errors[2]!).toBeLessThan(0.05);
  });

  it('dpmsolver++ (second order) is closer to the ODE than ddim (first order) at equal steps', () => {
    for (const steps of [6, 12]) {
      const err = (name: string) => {
        const { x, exact } = sample(createScheduler(config('epsilon'), name), 'epsilon', 0.3, 0.5, steps, 1, 5);
        return rms(x, exact);
      };
      expect(err('dpmsolver++')).toBeLessThan(err('ddim'));
    }
  });
});

describe('ddpm', () => {
  it('draws its noise from the seeded RNG: other seeds give other samples', () => {
    const a = sample(createScheduler(config('epsilon'), 'ddpm'), 'epsilon', 0.3, 0.5, 4, 0.3, 3).x;
    const b = sample(createScheduler(config('epsilon'), 'ddpm'), 'epsilon', 0.3, 0.5, 4, 0.3, 4).x;
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(false);
  });

  it('approaches the data spread with many ancestral steps', () => {
    const { x } = sample(createScheduler(config('epsilon'), 'ddpm'), 'epsilon', 0.3, 0.5, 200, 1, 6);
    const st = stats(x);
    expect(Math.abs(st.mean - 0.3)).toBeLessThan(0.02);
    expect(Math.abs(st.sd - 0.5)).toBeLessThan(0.05);
  });
});
