/** The window the refiner runs in: everything above the background level, grown by the refiner's reach. */
import { foregroundBox, FOREGROUND_LEVEL } from '../../src/pipeline/foreground-box';
import type { Plane } from '../../src/pipeline/plane';
import { SeededRng } from '../../src/shared/rng';

function plane(height: number, width: number, fill = -1): Plane {
  return { data: new Float32Array(height * width).fill(fill), height, width };
}

function paint(p: Plane, y0: number, x0: number, y1: number, x1: number, value: number): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) p.data[y * p.width + x] = value;
}

// -0.5: above the level in the 3 x 3 mean of every painted pixel, below it beside the painted block
const SUBJECT = -0.5;

describe('foregroundBox', () => {
  it('grows the bounding box of the subject by the margin, its corners on the multiple', () => {
    const p = plane(100, 120);
    paint(p, 31, 41, 60, 70, SUBJECT);   // rows 31..59, columns 41..69
    expect(foregroundBox(p, 10, 2)).toEqual({ y: 20, x: 30, height: 50, width: 50 });
    expect(foregroundBox(p, 10, 4)).toEqual({ y: 20, x: 28, height: 52, width: 52 });
  });

  it('clamps to the plane where the subject reaches its edge', () => {
    const p = plane(64, 64);
    paint(p, 0, 50, 10, 64, SUBJECT);
    expect(foregroundBox(p, 8, 2)).toEqual({ y: 0, x: 42, height: 18, width: 22 });
  });

  it('finds nothing in a blank slice, and the whole of a slice without background', () => {
    expect(foregroundBox(plane(32, 32), 8, 2)).toBeUndefined();
    expect(foregroundBox(plane(32, 48, 0.1), 8, 2)).toEqual({ y: 0, x: 0, height: 32, width: 48 });
  });

  it('is not stretched by single noise pixels of the background, but is by a small structure', () => {
    const p = plane(80, 80);
    const rng = new SeededRng(5);
    for (let i = 0; i < p.data.length; i++) p.data[i] = -1 + Math.abs(0.02 * rng.nextGaussian());
    paint(p, 30, 30, 50, 50, SUBJECT);
    p.data[2 * 80 + 3] = 0.4;   // one bright pixel: its 3 x 3 mean is below the level
    expect(foregroundBox(p, 4, 2)).toEqual({ y: 26, x: 26, height: 28, width: 28 });
    paint(p, 2, 3, 4, 5, 0.4);   // 2 x 2 of them: a structure
    expect(foregroundBox(p, 4, 2)).toEqual({ y: 0, x: 0, height: 54, width: 54 });
  });

  it('reads the level in the normalised domain: just above it is subject, at it is background', () => {
    const p = plane(40, 40);
    paint(p, 10, 10, 20, 20, FOREGROUND_LEVEL);
    expect(foregroundBox(p, 0, 1)).toBeUndefined();
    paint(p, 10, 10, 20, 20, FOREGROUND_LEVEL + 0.01);
    // the block's edge pixels take in the background: its interior is above the level
    expect(foregroundBox(p, 0, 1)).toEqual({ y: 11, x: 11, height: 8, width: 8 });
  });
});
