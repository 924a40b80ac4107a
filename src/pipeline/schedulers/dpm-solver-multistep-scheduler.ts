import { VpScheduler } from './base-scheduler';
import { predictX0AndEps } from './noise-schedule';

/**
 * DPM-Solver++(2M): multistep second order in the data (x0) parameterisation, midpoint solver
 * type, first order on the first step and on the last step (diffusers' DPMSolverMultistepScheduler
 * with algorithm_type "dpmsolver++", solver_order 2, final_sigmas_type "zero").
 */
export class DpmSolverMultistepScheduler extends VpScheduler {
  readonly name = 'dpmsolver++';
  private history: Array<{ t: number; x0: Float64Array }> = [];

  protected override reset(): void {
    this.history = [];
  }

  /** alpha_t, sigma_t and the half log-SNR lambda_t = log(alpha_t / sigma_t). */
  private coeffs(t: number): { alpha: number; sigma: number; lambda: number } {
    const abar = this.alphaCumprod(t);
    const alpha = Math.sqrt(abar);
    const sigma = Math.sqrt(1 - abar);
    return { alpha, sigma, lambda: Math.log(alpha) - Math.log(sigma) };
  }

  step(modelOutput: Float32Array, t: number, sample: Float32Array): Float32Array {
    const { index, prev } = this.neighbours(t);
    const { x0 } = predictX0AndEps(this.config.prediction_type, modelOutput, sample, this.alphaCumprod(t));
    const last = this.history[this.history.length - 1];
    this.history = [...this.history.slice(-1), { t, x0 }];
    const out = new Float32Array(sample.length);
    const target = this.coeffs(prev);
    if (target.sigma === 0) {
      // final step to sigma = 0: the first-order update reduces to the x0 estimate
      for (let i = 0; i < out.length; i++) out[i] = x0[i]!;
      return out;
    }
    const s0 = this.coeffs(t);
    const h = target.lambda - s0.lambda;
    const ratio = target.sigma / s0.sigma;
    const c = target.alpha * (Math.exp(-h) - 1);
    if (index === 0 || !last) {
      for (let i = 0; i < out.length; i++) out[i] = ratio * sample[i]! - c * x0[i]!;
      return out;
    }
    const s1 = this.coeffs(last.t);
    const r0 = (s0.lambda - s1.lambda) / h;
    for (let i = 0; i < out.length; i++) {
      const d1 = (x0[i]! - last.x0[i]!) / r0;
      out[i] = ratio * sample[i]! - c * x0[i]! - 0.5 * c * d1;
    }
    return out;
  }
}
