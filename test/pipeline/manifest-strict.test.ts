/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
/**
 * The manifest schema is strict: a field it does not declare (a misspelling, or something a new
 * export writes that the pipeline would silently ignore) fails the load, naming the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadManifest } from '../../src/pipeline/manifest';
import { loadGraphs } from '../../src/pipeline/graphs';
import { DEFAULT_MODEL_DIR } from '../../src/shared/config';
import { TINY_MODEL_DIR } from './helpers/reference';
import { rejection } from './helpers/rejection';
import { removeVariantDirs, variantModelDir, type RawManifest } from './helpers/model-dirs';

afterAll(removeVariantDirs);

const shipped = fs.existsSync(path.join(DEFAULT_MODEL_DIR, 'model_index.json'));

describe('strict model_index.json', () => {
  (shipped ? it : it.skip)('declares every field the shipped model has (it loads, scheduler extras included)', async () => {
    const m = await loadManifest(DEFAULT_MODEL_DIR);
    expect(m.scheduler.timestep_spacing).toBe('trailing');
    expect(m.scheduler.trained_timesteps).toEqual([0, 199]);
    expect(m.graphs.unet.bytes).toBe(fs.statSync(path.join(DEFAULT_MODEL_DIR, 'unet.onnx')).size);
  });

  it.each([
    ['a misspelled top-level field', (m: RawManifest) => { m.schedular = m.scheduler; }, 'schedular'],
    ['a misspelled scheduler field', (m: RawManifest) => { m.scheduler.default_step = 3; }, 'scheduler'],
    ['an unknown graph', (m: RawManifest) => { m.graphs.upsampler = m.graphs.unet; }, 'upsampler'],
    ['an unknown graph field', (m: RawManifest) => { m.graphs.unet.sha512 = 'x'; }, 'sha512'],
    ['an unknown latent field', (m: RawManifest) => { m.latent.scale = 2; }, 'scale'],
  ])('refuses %s, naming it', async (_what, edit, name) => {
    const err = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, edit)));
    expect(err.code).toBe('manifest.invalid');
    expect(err.message).toContain(name);
    expect(err.message).toMatch(/Unrecognized key/i);
  });

  it('refuses a refiner entry without its graph, and an unknown refiner field', async () => {
    const refiner = { graph: 'refiner', modalities: ['MR'], degradations: ['kspace'], train_iterations: 10 };
    const missing = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.refiner = refiner; })));
    expect(missing.message).toContain('graphs.refiner');
    const extra = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.refiner = { ...refiner, tile: 256 }; m.graphs.refiner = m.graphs.regression; })));
    expect(extra.message).toContain('tile');
  });

  it('refuses scheduler settings the samplers do not implement, instead of ignoring them', async () => {
    for (const [field, value] of [['eta', 0.5], ['timestep_spacing', 'leading'], ['clip_sample', true], ['set_alpha_to_one', false]] as const) {
      const err = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.scheduler[field] = value; })));
      expect(err.message).toContain(`scheduler.${field}`);
    }
  });

  it('refuses a start timestep outside the range the U-Net was trained on', async () => {
    // tiny model: init_strength 0.3 of 1000 timesteps starts at t = 299
    const err = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.scheduler.trained_timesteps = [0, 199]; })));
    expect(err.message).toContain('scheduler.trained_timesteps');
    expect(err.message).toContain('299');
    await expect(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.scheduler.trained_timesteps = [0, 299]; }))).resolves.toBeDefined();
  });

  it('checks a graph file against its declared size when the model loads', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (m) => { m.graphs.unet.bytes = 12; });
    const err = await rejection(loadGraphs(await loadManifest(dir), { device: 'cpu' }));
    expect(err.code).toBe('graph.size');
    expect(err.message).toContain('unet');
  });
});
