import type { Plane } from '../plane';

/**
 * The body mask evaluations score inside (background inflates whole-frame scores by ~2 dB), as
 * the training recipe defines it: threshold the HR image, then close (3 iterations), fill holes,
 * open (2 iterations), all with the 4-connected cross and zero outside the frame (SciPy's
 * binary_* defaults). The default threshold is min + 10% of (99.5th percentile - min): the
 * recipe's MR rule; for CT pass the value of -500 HU in the plane's units.
 */
export function bodyMask(hr: Plane, threshold: number = defaultBodyThreshold(hr)): Uint8Array {
  let m: Uint8Array = new Uint8Array(hr.data.length);
  for (let i = 0; i < m.length; i++) m[i] = hr.data[i]! > threshold ? 1 : 0;
  const { height: h, width: w } = hr;
  for (let i = 0; i < 3; i++) m = dilate(m, h, w);
  for (let i = 0; i < 3; i++) m = erode(m, h, w);
  m = fillHoles(m, h, w);
  for (let i = 0; i < 2; i++) m = erode(m, h, w);
  for (let i = 0; i < 2; i++) m = dilate(m, h, w);
  return m;
}

export function defaultBodyThreshold(hr: Plane): number {
  const sorted = Float64Array.from(hr.data).sort();
  const min = sorted[0] ?? 0;
  return min + 0.1 * (percentile(sorted, 99.5) - min);
}

/** numpy's default (linear) percentile of sorted values. */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

const CROSS: Array<[number, number]> = [[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]];

/** One step of binary dilation (any cross neighbour set) or erosion (all set; outside the frame counts as unset, as in scipy). */
function morph(m: Uint8Array, h: number, w: number, all: boolean): Uint8Array {
  const out = new Uint8Array(m.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let set = 0;
      for (const [dy, dx] of CROSS) {
        const yy = y + dy;
        const xx = x + dx;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w && m[yy * w + xx] === 1) set++;
      }
      out[y * w + x] = (all ? set === CROSS.length : set > 0) ? 1 : 0;
    }
  }
  return out;
}

const dilate = (m: Uint8Array, h: number, w: number): Uint8Array => morph(m, h, w, false);
const erode = (m: Uint8Array, h: number, w: number): Uint8Array => morph(m, h, w, true);

/** Background not 4-connected to the frame's edge becomes foreground. */
function fillHoles(m: Uint8Array, h: number, w: number): Uint8Array {
  const outside = new Uint8Array(m.length);
  const stack: number[] = [];
  const push = (y: number, x: number): void => {
    const i = y * w + x;
    if (m[i] === 0 && outside[i] === 0) {
      outside[i] = 1;
      stack.push(i);
    }
  };
  for (let x = 0; x < w; x++) { push(0, x); push(h - 1, x); }
  for (let y = 0; y < h; y++) { push(y, 0); push(y, w - 1); }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const y = Math.floor(i / w);
    const x = i % w;
    if (y > 0) push(y - 1, x);
    if (y < h - 1) push(y + 1, x);
    if (x > 0) push(y, x - 1);
    if (x < w - 1) push(y, x + 1);
  }
  return outside.map((o) => (o ? 0 : 1));
}
