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

/**
 * Each pixel's mean over its 3 x 3 neighbourhood, edge pixels repeated beyond the border (scipy's `uniform_filter`
 * of size 3, mode "nearest"), computed separably.
 */
export function boxMean3(data: ArrayLike<number>, height: number, width: number): Float64Array {
  return separable3x3(data, height, width, (a, b, c) => a + b + c).map((v) => v / 9);
}

/**
 * Each pixel's largest value over its 3 x 3 neighbourhood inside the plane (PyTorch's `max_pool2d(x, 3, 1, 1)`, whose
 * padding never wins: repeating the edge pixels gives the same), computed separably.
 */
export function boxMax3(data: ArrayLike<number>, height: number, width: number): Float64Array {
  return separable3x3(data, height, width, Math.max);
}

/** `combine` over each pixel's 3 x 3 neighbourhood as along rows, then along columns; edge pixels repeated beyond the border. */
function separable3x3(data: ArrayLike<number>, height: number, width: number, combine: (a: number, b: number, c: number) => number): Float64Array {
  const rows = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      rows[row + x] = combine(data[row + Math.max(x - 1, 0)]!, data[row + x]!, data[row + Math.min(x + 1, width - 1)]!);
    }
  }
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const up = Math.max(y - 1, 0) * width;
    const row = y * width;
    const down = Math.min(y + 1, height - 1) * width;
    for (let x = 0; x < width; x++) out[row + x] = combine(rows[up + x]!, rows[row + x]!, rows[down + x]!);
  }
  return out;
}
