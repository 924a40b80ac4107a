import { boxMax3, boxMean3 } from '../../src/pipeline/plane';
import { SeededRng } from '../../src/shared/rng';

/** An h x w plane of seeded Gaussian values. */
function randomPlane(seed: number, h: number, w: number): Float32Array {
  const rng = new SeededRng(seed);
  return Float32Array.from({ length: h * w }, () => rng.nextGaussian());
}

describe('boxMean3', () => {
  it('is the mean of each 3 x 3 neighbourhood with the edge pixels repeated beyond the border', () => {
    const [h, w] = [5, 7];
    const data = randomPlane(9, h, w);
    const at = (y: number, x: number): number => data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
    const mean = boxMean3(data, h, w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(y + dy, x + dx);
        expect(mean[y * w + x]).toBeCloseTo(sum / 9, 6);
      }
    }
  });

  it('leaves a constant plane, even a single pixel, as it is', () => {
    expect(Array.from(boxMean3([3, 3, 3, 3], 2, 2))).toEqual([3, 3, 3, 3]);
    expect(Array.from(boxMean3([2], 1, 1))).toEqual([2]);
  });
});

describe('boxMax3', () => {
  it('is the largest value of each 3 x 3 neighbourhood inside the plane', () => {
    const [h, w] = [6, 5];
    const data = randomPlane(10, h, w);
    const most = boxMax3(data, h, w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = -Infinity;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy >= 0 && yy < h && xx >= 0 && xx < w) best = Math.max(best, data[yy * w + xx]!);
          }
        }
        expect(most[y * w + x]).toBe(best);
      }
    }
  });
});
