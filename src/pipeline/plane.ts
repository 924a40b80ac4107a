import { createTensor, heightOf, widthOf, type Tensor } from '../shared/tensor';
import { MedsrError } from '../shared/errors';

/** One single-channel image: what the classical operators (resampling, degradations, DC) work on. */
export interface Plane {
  data: Float32Array;
  height: number;
  width: number;
}

/** The image of a [1, 1, h, w] tensor (shares its data). */
export function planeOf(t: Tensor): Plane {
  if (t.shape.length !== 4 || t.shape[0] !== 1 || t.shape[1] !== 1) {
    throw new MedsrError('invalid_input', 'tensor.shape', `expected a [1, 1, h, w] tensor, got [${t.shape.join(', ')}]`);
  }
  return { data: t.data, height: heightOf(t), width: widthOf(t) };
}

export function tensorOf(p: Plane): Tensor {
  return createTensor([1, 1, p.height, p.width], p.data);
}

export function l2(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** ||a - b|| / ||b|| (the data-consistency residual). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    const d = a[i]! - b[i]!;
    num += d * d;
    den += b[i]! * b[i]!;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-12);
}
