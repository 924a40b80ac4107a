import { boxMax3, type Plane } from '../plane';
import { lowerMatrixOf } from '../degrade/kspace';
import { bin, centredFrequencies, copyCentralBlock, fft2Real, ifft2Real, type Spectrum } from '../fft/fft2';

/**
 * The LR values the k-space projection enforces when the input's file stores nothing below `floor` (an unsigned MR
 * file's 0, in the normalised domain; undefined: no such floor), given `estimate`, the output's own lower matrix A(out).
 * A pixel stored at the floor stands for the floor or less (a lower matrix's ringing below zero is clipped there), and
 * next to bright pixels for `depth` x the largest value of its 3 x 3 neighbourhood (above the floor) below it or less
 * (the ringing is deepest there: a step's first lobe lies 9% of the step below it); where the estimate is lower still it
 * is kept. The k-space operator's rows are orthogonal, so projecting onto these values is the exact projection onto
 * {x : A x = lr above the floor, A x <= that ceiling at it} (training/degrade.py `floored_input`; `depth` is the
 * manifest's `consistency.floor_depth`, 0 in models before 2.13: the floor itself).
 */
export function flooredInput(estimate: Plane, lr: Plane, floor: number | undefined, depth = 0): Plane {
  if (!reachesFloor(lr, floor)) return lr;
  const ceiling = depth > 0 ? floorCeiling(lr, floor, depth) : undefined;
  const data = Float32Array.from(lr.data);
  for (let i = 0; i < data.length; i++) {
    if (data[i]! > floor) continue;
    data[i] = Math.min(estimate.data[i]!, ceiling ? ceiling[i]! : floor);
  }
  return { data, height: lr.height, width: lr.width };
}

// An upscale projects onto one input many times (per sample, before and after the refiner, and to measure): the
// ceiling depends on the input alone, so it is made once per input plane (planes are not changed in place).
const ceilings = new WeakMap<Plane, { floor: number; depth: number; ceiling: Float64Array }>();

/** floor - depth x the largest value above the floor in each pixel's 3 x 3 neighbourhood of `lr`. */
function floorCeiling(lr: Plane, floor: number, depth: number): Float64Array {
  const known = ceilings.get(lr);
  if (known && known.floor === floor && known.depth === depth) return known.ceiling;
  const ceiling = boxMax3(lr.data.map((v) => Math.max(v - floor, 0)), lr.height, lr.width).map((m) => floor - depth * m);
  ceilings.set(lr, { floor, depth, ceiling });
  return ceiling;
}

function reachesFloor(lr: Plane, floor: number | undefined): floor is number {
  return floor !== undefined && lr.data.some((v) => v <= floor);
}

/**
 * k-space data consistency: replace the central h x w block of the output's centred spectrum by
 * the LR spectrum scaled by (H W)/(h w). For even h (or w) the block holds the Nyquist frequency
 * -h/2 but not its mirror +h/2, so the mirror is written too (conjugate): the spectrum stays
 * Hermitian, the result is real, and degrading it again gives back the input exactly.
 * The recipe does the same (training/degrade.py); `mirrorNyquist: false` is its earlier literal
 * formula (real part of the inverse, mirror left as it was), exact only for odd sizes, kept to
 * check parity with references made by it (the test fixture's). `floor`: the input's storage floor, `floorDepth` how far
 * below it a pixel stored there is held (`flooredInput`).
 */
export function kspaceConsistency(out: Plane, lr: Plane, options: { mirrorNyquist?: boolean; floor?: number | undefined; floorDepth?: number } = {}): Plane {
  const mirrorNyquist = options.mirrorNyquist ?? true;
  const { height: H, width: W } = out;
  const { height: h, width: w } = lr;
  const spec = fft2Real(out.data, H, W);
  // A(out) from the spectrum the projection needs anyway, only where some input pixel sits at the floor
  const enforced = reachesFloor(lr, options.floor) ? flooredInput(lowerMatrixOf(spec, h, w), lr, options.floor, options.floorDepth) : lr;
  copyCentralBlock(fft2Real(enforced.data, h, w), spec, (H * W) / (h * w));
  if (mirrorNyquist) writeNyquistMirrors(spec, h, w);
  return { data: ifft2Real(spec), height: H, width: W };
}

/**
 * For an even block side the block holds the Nyquist frequency -n/2 but not its mirror +n/2: writes the conjugate of
 * each copied bin whose mirror (-fy, -fx) lies outside the block (so no measured bin is overwritten). Only the bins
 * in the block's Nyquist row (fy = -h/2) or column (fx = -w/2) have such mirrors.
 */
function writeNyquistMirrors(spec: Spectrum, h: number, w: number): void {
  const { height: H, width: W } = spec;
  const write = (fy: number, fx: number): void => {
    const from = bin(fy, H) * W + bin(fx, W);
    const mirror = bin(-fy, H) * W + bin(-fx, W);
    spec.re[mirror] = spec.re[from]!;
    spec.im[mirror] = -spec.im[from]!;
  };
  const fys = centredFrequencies(h);
  const fxs = centredFrequencies(w);
  if (h % 2 === 0) for (const fx of fxs) write(-h / 2, fx);
  if (w % 2 === 0) for (const fy of fys) if (!(h % 2 === 0 && fy === -h / 2)) write(fy, -w / 2);
}
