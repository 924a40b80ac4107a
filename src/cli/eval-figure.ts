import { PNG } from 'pngjs';
import type { Plane } from '../pipeline/plane';

/**
 * A montage PNG for `medsr eval`: the top row shows each method's output (normalised domain
 * -1..1 mapped to black..white), the bottom row its absolute error against HR, amplified
 * ERROR_GAIN times so small differences are visible.
 */
const ERROR_GAIN = 8;
const GAP = 4;

export function evalFigurePng(hr: Plane, outputs: ReadonlyArray<[string, Plane]>): Buffer {
  const panels: Array<[string, Plane]> = [['HR', hr], ...outputs];
  const { height: h, width: w } = hr;
  const width = panels.length * w + (panels.length - 1) * GAP;
  const height = 2 * h + GAP;
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  png.data = Buffer.alloc(width * height, 32);
  panels.forEach(([, image], i) => {
    const x0 = i * (w + GAP);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = image.data[y * w + x]!;
        png.data[y * width + x0 + x] = toByte((v + 1) / 2);
        const err = i === 0 ? 0 : Math.abs(v - hr.data[y * w + x]!) * ERROR_GAIN;
        png.data[(y + h + GAP) * width + x0 + x] = toByte(err / 2);
      }
    }
  });
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
}

function toByte(unit: number): number {
  return Math.round(Math.max(0, Math.min(1, unit)) * 255);
}
