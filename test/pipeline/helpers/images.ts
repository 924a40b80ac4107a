import { SeededRng } from '../../../src/shared/rng';
import { imageTensor, type Tensor } from '../../../src/shared/tensor';

/** A head-like phantom in the normalised domain ([-1, 1]): ellipse, structures, some noise. */
export function phantomTensor(h: number, w: number, seed = 1): Tensor {
  const rng = new SeededRng(seed);
  const data = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = Math.hypot((y - h / 2) / (h * 0.42), (x - w / 2) / (w * 0.36));
      const inside = r < 1 ? 0.2 + 0.4 * Math.cos(x / 6) * Math.sin(y / 9) + (r < 0.3 ? 0.3 : 0) : -1;
      data[y * w + x] = inside + 0.02 * rng.nextGaussian();
    }
  }
  return imageTensor(h, w, data);
}

export function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
