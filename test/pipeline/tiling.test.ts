/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { runUpscale } from '../../src/pipeline/upscale';
import { planTiles, reflectPad, TileBlender } from '../../src/pipeline/tiling';
import { TINY_MODEL_DIR } from './helpers/reference';
import { variantModelDir } from './helpers/model-dirs';
import { maxAbsDiff, phantomTensor } from './helpers/images';

describe('planTiles', () => {
  it.each([[192, 192], [100, 70], [2048, 2048], [64, 512], [32, 32]])('covers a %dx%d image with aligned tiles no larger than the tile size', (h, w) => {
    const plan = planTiles(h, w, { multiple: 32, size: 128, overlap: 32 });
    expect(plan.height % 32).toBe(0);
    expect(plan.width % 32).toBe(0);
    expect(plan.height).toBeGreaterThanOrEqual(h);
    const covered = new Uint8Array(plan.height * plan.width);
    for (const t of plan.tiles) {
      expect(t.y % 32).toBe(0);
      expect(t.x % 32).toBe(0);
      expect(t.height).toBeLessThanOrEqual(128);
      expect(t.height % 32).toBe(0);
      expect(t.y + t.height).toBeLessThanOrEqual(plan.height);
      for (let y = t.y; y < t.y + t.height; y++) for (let x = t.x; x < t.x + t.width; x++) covered[y * plan.width + x] = 1;
    }
    expect(covered.every((c) => c === 1)).toBe(true);
  });

  it('reflect-pads without repeating the edge', () => {
    const p = reflectPad({ data: Float32Array.from([1, 2, 3]), height: 1, width: 3 }, 2, 6);
    expect(Array.from(p.data)).toEqual([1, 2, 3, 2, 1, 2, 1, 2, 3, 2, 1, 2]);
  });

  it('blends a constant image back to the same constant', () => {
    const plan = planTiles(200, 150, { multiple: 32, size: 96, overlap: 32 });
    const blender = new TileBlender(plan);
    for (const t of plan.tiles) blender.add(t, { data: new Float32Array(t.height * t.width).fill(0.25), height: t.height, width: t.width });
    expect(Array.from(blender.result(200, 150).data).every((v) => Math.abs(v - 0.25) < 1e-6)).toBe(true);
  });
});

describe('tiled inference', () => {
  let tiled: LoadedModel;
  let whole: LoadedModel;
  let big: LoadedModel;
  beforeAll(async () => {
    // the tiny manifest: tiles of 128 output pixels, overlap 32; the variants change only the tile size
    tiled = await loadModel(TINY_MODEL_DIR, { device: 'cpu' });
    whole = await loadModel(variantModelDir(TINY_MODEL_DIR, (m) => (m.tile.output_size = 1024)), { device: 'cpu' });
    big = await loadModel(variantModelDir(TINY_MODEL_DIR, (m) => (m.tile = { multiple: 32, output_size: 512, output_overlap: 64 })), { device: 'cpu' });
  });
  afterAll(async () => {
    await Promise.all([tiled, whole, big].filter(Boolean).map(disposeModel));
  });

  it('matches the untiled output, with no seam at tile borders', async () => {
    const lr = phantomTensor(96, 96, 3);
    const opts = { scale: 2 as const, modality: 'MR', prompt: 'mr head', steps: 3, seed: 1, degradation: 'bicubic' as const };
    const a = await runUpscale(tiled, lr, opts);
    const b = await runUpscale(whole, lr, opts);
    expect(a.timings.tiles).toBe(4);
    expect(b.timings.tiles).toBe(1);
    const range = Math.max(...b.mean.data) - Math.min(...b.mean.data);
    expect(maxAbsDiff(a.mean.data, b.mean.data)).toBeLessThan(0.02 * range);

    // No seam: tiles span [0, 128) and [64, 192) HR pixels on each axis. Where a tile's border
    // lies (columns 64 and 127) its edge effects must be feathered away: the error against the
    // untiled run there stays within a small factor of the overlap band's average (without
    // feathering it is several times larger: a visible seam).
    const W = 192;
    const colError = (col: number): number => {
      let s = 0;
      for (let y = 0; y < W; y++) s += Math.abs(a.mean.data[y * W + col]! - b.mean.data[y * W + col]!);
      return s / W;
    };
    let band = 0;
    for (let c = 64; c < 128; c++) band += colError(c) / 64;
    expect(band).toBeGreaterThan(0);
    for (const col of [64, 127]) expect(colError(col)).toBeLessThan(3 * band);
  });

  it('sizes tiles in output pixels: 4x of 48 x 48 is tiled like 2x of 96 x 96', async () => {
    const r = await runUpscale(tiled, phantomTensor(48, 48, 3), { scale: 4, modality: 'MR', prompt: 'mr head', steps: 1 });
    expect(r.mean.shape).toEqual([1, 1, 192, 192]);
    expect(r.timings.tiles).toBe(4);
  });

  it('upscales a 1024 x 1024 slice at 2x in bounded tiles', async () => {
    const lr = phantomTensor(1024, 1024, 4);
    const r = await runUpscale(big, lr, { scale: 2, modality: 'MR', prompt: 'mr head', steps: 1 });
    expect(r.mean.shape).toEqual([1, 1, 2048, 2048]);
    expect(r.timings.tiles).toBe(25);
    expect(r.dcResidual).toBeLessThan(1e-3);
  }, 300_000);
});
