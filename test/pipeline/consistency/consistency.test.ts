import { SeededRng } from '../../../src/shared/rng';
import { applyConsistency } from '../../../src/pipeline/consistency';
import { flooredInput } from '../../../src/pipeline/consistency/kspace';
import { degrade, type DegradationKind } from '../../../src/pipeline/degrade';
import { bicubicUpsample } from '../../../src/pipeline/resample/bicubic';
import { gaussianShareMix } from '../../../src/pipeline/resample/resamplers';
import { relativeError, type Plane } from '../../../src/pipeline/plane';

/** A smooth "anatomy" plus texture, so degradations and projections have something to do. */
function phantom(h: number, w: number, seed: number): Plane {
  const rng = new SeededRng(seed);
  const data = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const r = Math.hypot((y - h / 2) / (h / 2.5), (x - w / 2) / (w / 3));
      data[y * w + x] = (r < 1 ? 0.6 + 0.3 * Math.sin(x / 3) * Math.cos(y / 5) : -1) + 0.05 * rng.nextGaussian();
    }
  }
  return { data, height: h, width: w };
}

describe.each<[DegradationKind, number, number, number]>([
  ['kspace', 2, 64, 48], ['kspace', 2, 46, 38], ['kspace', 4, 64, 60], ['kspace', 4, 36, 52],
  ['area', 2, 64, 48], ['area', 4, 64, 64], ['area', 2, 46, 38],
  ['bicubic', 2, 64, 48], ['bicubic', 4, 64, 64], ['bicubic', 2, 46, 38],
])('data consistency for %s x%d on %dx%d', (kind, s, H, W) => {
  const hr = phantom(H, W, H * W);
  const lr = degrade(hr, s, kind, { blurSigma: 0.5 });
  // a plausible but inconsistent "model output": the bicubic upsampling plus noise
  const rng = new SeededRng(9);
  const up = bicubicUpsample(lr, s);
  const guess: Plane = { ...up, data: up.data.map((v) => v + 0.1 * rng.nextGaussian()) };

  it('brings the residual ||A(out) - lr|| / ||lr|| below 1e-3 and reports it', () => {
    const before = relativeError(degrade(guess, s, kind, { blurSigma: 0.5 }).data, lr.data);
    const { image, residual } = applyConsistency(guess, lr, s, kind, { blurSigma: 0.5 });
    expect(before).toBeGreaterThan(1e-2);
    expect(residual).toBeLessThan(1e-3);
    expect(residual).toBeCloseTo(relativeError(degrade(image, s, kind, { blurSigma: 0.5 }).data, lr.data), 10);
  });

  it('moves the output closer to the truth, and leaves a consistent image unchanged', () => {
    const { image } = applyConsistency(guess, lr, s, kind, { blurSigma: 0.5 });
    expect(relativeError(image.data, hr.data)).toBeLessThan(relativeError(guess.data, hr.data));
    const again = applyConsistency(image, lr, s, kind, { blurSigma: 0.5 }).image;
    expect(relativeError(again.data, image.data)).toBeLessThan(1e-4);
  });
});

describe('area data consistency without blur is the block-mean correction', () => {
  it('adds to every s x s block the LR pixel minus the block mean', () => {
    const hr = phantom(32, 24, 7);
    const lr = degrade(hr, 4, 'area', { blurSigma: 0 });
    const out = bicubicUpsample(lr, 4);
    const { image, residual } = applyConsistency(out, lr, 4, 'area', { blurSigma: 0 });
    expect(residual).toBeLessThan(1e-6);
    // inside a block the correction is one constant
    const d0 = image.data[0]! - out.data[0]!;
    for (const [y, x] of [[0, 1], [1, 0], [3, 3]] as const) expect(image.data[y * 24 + x]! - out.data[y * 24 + x]!).toBeCloseTo(d0, 6);
  });
});

describe('k-space data consistency with the input file storage floor', () => {
  // a lower matrix written unsigned: its ringing below the floor (here the phantom's background level) is clipped there
  const hr = phantom(64, 48, 11);
  const floor = -0.5;
  const truth = degrade(hr, 2, 'kspace');
  const stored: Plane = { ...truth, data: truth.data.map((v) => Math.max(v, floor)) };
  const atFloor = (i: number) => stored.data[i]! <= floor;
  const rng = new SeededRng(12);
  const up = bicubicUpsample(stored, 2);
  const guess: Plane = { ...up, data: up.data.map((v) => v + 0.1 * rng.nextGaussian()) };

  it('enforces the input above the floor and at most the floor at it, and reports that residual', () => {
    expect(truth.data.filter((v) => v < floor).length).toBeGreaterThan(20);
    const { image, residual } = applyConsistency(guess, stored, 2, 'kspace', { blurSigma: 0.5, storageFloor: floor });
    const a = degrade(image, 2, 'kspace').data;
    let worstAbove = 0;
    let highestAt = -Infinity;
    let lowestAt = Infinity;
    for (let i = 0; i < a.length; i++) {
      if (atFloor(i)) {
        highestAt = Math.max(highestAt, a[i]!);
        lowestAt = Math.min(lowestAt, a[i]!);
      } else worstAbove = Math.max(worstAbove, Math.abs(a[i]! - stored.data[i]!));
    }
    expect(worstAbove).toBeLessThan(1e-4);
    expect(highestAt).toBeLessThan(floor + 1e-4);
    expect(lowestAt).toBeLessThan(floor - 1e-3); // the estimate's own values below the floor are kept
    expect(residual).toBeLessThan(1e-5);
    // measured against the clipped values as they are, it is not: below the floor it departs from them
    expect(relativeError(a, stored.data)).toBeGreaterThan(1e-3);
  });

  it('is a projection (idempotent), and without a floor is the projection of before', () => {
    const once = applyConsistency(guess, stored, 2, 'kspace', { blurSigma: 0.5, storageFloor: floor }).image;
    const twice = applyConsistency(once, stored, 2, 'kspace', { blurSigma: 0.5, storageFloor: floor }).image;
    expect(relativeError(twice.data, once.data)).toBeLessThan(1e-5);
    const plain = applyConsistency(guess, stored, 2, 'kspace', { blurSigma: 0.5 });
    expect(plain.residual).toBeLessThan(1e-5);
    expect(relativeError(plain.image.data, once.data)).toBeGreaterThan(1e-3);
  });

  it('brings the output closer to the truth than enforcing the clipped values', () => {
    const floored = applyConsistency(guess, stored, 2, 'kspace', { blurSigma: 0.5, storageFloor: floor }).image;
    const plain = applyConsistency(guess, stored, 2, 'kspace', { blurSigma: 0.5 }).image;
    expect(relativeError(floored.data, hr.data)).toBeLessThan(relativeError(plain.data, hr.data));
  });
});

describe('the k-space projection holds a stored floor below it next to bright pixels (floor depth)', () => {
  it('is 6% of the brightest neighbour below the floor at depth 0.06, the floor out of reach, a lower estimate kept', () => {
    // the recipe's test of degrade.floored_input, on the same values
    const lr: Plane = { data: Float32Array.from([0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0]), height: 4, width: 4 };
    const estimate: Plane = { ...lr, data: lr.data.map(() => 0.5) };
    estimate.data[15] = -2;
    const t = flooredInput(estimate, lr, 0, 0.06).data;
    expect(t[6]).toBe(10);
    expect(t[5]).toBeCloseTo(-0.6, 6);
    expect(t[0]).toBe(0);
    expect(t[15]).toBe(-2);
    expect(Array.from(flooredInput(estimate, lr, 0).data)).toEqual(Array.from(lr.data.map((v, i) => (v > 0 ? v : Math.min(estimate.data[i]!, 0)))));
  });

  const hr = phantom(64, 48, 11);
  const floor = -0.5;
  const truth = degrade(hr, 2, 'kspace');
  const stored: Plane = { ...truth, data: truth.data.map((v) => Math.max(v, floor)) };
  const up = bicubicUpsample(stored, 2);
  const options = { blurSigma: 0.5, storageFloor: floor, floorDepth: 0.06 };

  it('is an exact projection onto that set: residual 0 against it, idempotent, and below the floor alone', () => {
    const { image, residual } = applyConsistency(up, stored, 2, 'kspace', options);
    expect(residual).toBeLessThan(1e-5);
    const twice = applyConsistency(image, stored, 2, 'kspace', options).image;
    expect(relativeError(twice.data, image.data)).toBeLessThan(1e-5);
    const a = degrade(image, 2, 'kspace').data;
    const shallow = degrade(applyConsistency(up, stored, 2, 'kspace', { ...options, floorDepth: 0 }).image, 2, 'kspace').data;
    let deeper = 0;
    for (let i = 0; i < a.length; i++) if (stored.data[i]! <= floor && a[i]! < shallow[i]! - 1e-4) deeper++;
    expect(deeper).toBeGreaterThan(10);
  });
});

describe("resampled data consistency onto the resampler detector's blend", () => {
  // an input scikit-image's resize made (Gaussian + cubic spline)
  const hr = phantom(64, 48, 13);
  const lr = degrade(hr, 2, 'bicubic', { resampler: { 'gaussian-spline': 1 } });
  const rng = new SeededRng(14);
  const up = bicubicUpsample(lr, 2);
  const guess: Plane = { ...up, data: up.data.map((v) => v + 0.1 * rng.nextGaussian()) };

  it.each([0, 0.35, 1])('enforces the operator that holds a %s share of the Gaussian + spline, and reports that residual', (share) => {
    const { image, residual } = applyConsistency(guess, lr, 2, 'bicubic', { blurSigma: 0.5, resampler: gaussianShareMix(share) });
    expect(residual).toBeLessThan(1e-3);
    expect(residual).toBeCloseTo(relativeError(degrade(image, 2, 'bicubic', { resampler: gaussianShareMix(share) }).data, lr.data), 10);
  });

  it("brings an input of the Gaussian + spline closer to the truth on its own operator than on the contract's", () => {
    const own = applyConsistency(guess, lr, 2, 'bicubic', { blurSigma: 0.5, resampler: { 'gaussian-spline': 1 } }).image;
    const contract = applyConsistency(guess, lr, 2, 'bicubic', { blurSigma: 0.5 }).image;
    expect(relativeError(own.data, hr.data)).toBeLessThan(relativeError(contract.data, hr.data));
  });

  it('blends the two operators on each axis: linearly for an image that varies along one axis', () => {
    const rows: Plane = { ...hr, data: hr.data.map((_, i) => hr.data[i - (i % hr.width)]!) }; // each row constant
    const a = degrade(rows, 2, 'bicubic').data;
    const b = degrade(rows, 2, 'bicubic', { resampler: { 'gaussian-spline': 1 } }).data;
    const mixed = degrade(rows, 2, 'bicubic', { resampler: gaussianShareMix(0.25) }).data;
    let worst = 0;
    for (let i = 0; i < mixed.length; i++) worst = Math.max(worst, Math.abs(mixed[i]! - (0.75 * a[i]! + 0.25 * b[i]!)));
    expect(worst).toBeLessThan(1e-6);
  });
});
