import type { Plane } from '../plane';
import type { SeparableOperator } from '../resample/taps';

/**
 * Range/null-space projection for a linear degradation A (DDNM): out + A^T (A A^T)^-1 (lr - A out),
 * the smallest change that makes A(out) equal lr. (A A^T) is solved matrix-free by conjugate
 * gradients on the LR grid; it is symmetric positive definite for the blur/cubic operators here.
 */
export function projectOntoData(out: Plane, lr: Plane, op: SeparableOperator, options: { tolerance?: number; maxIterations?: number } = {}): Plane {
  const tol = options.tolerance ?? 1e-6;
  const maxIt = options.maxIterations ?? 200;
  const ax = op.apply(out.data);
  const r = new Float64Array(lr.data.length);
  let lrNorm2 = 0;
  for (let i = 0; i < r.length; i++) {
    r[i] = lr.data[i]! - ax[i]!;
    lrNorm2 += lr.data[i]! * lr.data[i]!;
  }
  // CG on (A A^T) y = r, from y = 0
  const y = new Float64Array(r.length);
  const p = Float64Array.from(r);
  let rr = dot(r, r);
  const stop = tol * tol * Math.max(lrNorm2, 1e-24);
  for (let it = 0; it < maxIt && rr > stop; it++) {
    const q = op.apply(op.applyTranspose(p));
    const alpha = rr / dot(p, q);
    for (let i = 0; i < y.length; i++) {
      y[i] = y[i]! + alpha * p[i]!;
      r[i] = r[i]! - alpha * q[i]!;
    }
    const next = dot(r, r);
    const beta = next / rr;
    rr = next;
    for (let i = 0; i < p.length; i++) p[i] = r[i]! + beta * p[i]!;
  }
  const correction = op.applyTranspose(y);
  const data = new Float32Array(out.data.length);
  for (let i = 0; i < data.length; i++) data[i] = out.data[i]! + correction[i]!;
  return { data, height: out.height, width: out.width };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
