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
import { variantModelDir, type RawManifest } from './helpers/model-dirs';

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

  it('refuses a CT refiner entry without its graph, and reads passes of 0 (not at that scale)', async () => {
    const ct = { graph: 'ct_refiner', modalities: ['CT'], degradations: ['area', 'bicubic'], train_iterations: 10, passes: { area: { '2': 1, '4': 0 } } };
    const missing = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.ct_refiner = ct; })));
    expect(missing.message).toContain('graphs.ct_refiner');
    const m = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => { j.ct_refiner = ct; j.graphs.ct_refiner = j.graphs.regression; }));
    expect(m.ct_refiner!.passes!.area!['4']).toBe(0);
  });

  it('refuses a refiner entry without its graph, and an unknown refiner field', async () => {
    const refiner = { graph: 'refiner', modalities: ['MR'], degradations: ['kspace'], train_iterations: 10 };
    const missing = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.refiner = refiner; })));
    expect(missing.message).toContain('graphs.refiner');
    const extra = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.refiner = { ...refiner, tile: 256 }; m.graphs.refiner = m.graphs.regression; })));
    expect(extra.message).toContain('tile');
  });

  it('refuses a CT detector without its graph or running another graph, and reads the classes its logits are for', async () => {
    const ct = { kind: 'cnn', graph: 'ct_detector', scales: ['2', '4'], min_side: 16, fallback: 'bicubic', modalities: ['CT'], threshold: 0.7,
      classes: ['area', 'bicubic'], train_iterations: 10, train_accuracy: { '2': 0.8 } };
    const missing = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.ct_detector = ct; })));
    expect(missing.message).toContain('graphs.ct_detector');
    const other = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (m) => { m.ct_detector = { ...ct, graph: 'detector' }; m.graphs.ct_detector = m.graphs.regression; })));
    expect(other.message).toContain('ct_detector.graph');
    const m = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => { j.ct_detector = ct; j.graphs.ct_detector = j.graphs.regression; }));
    expect(m.ct_detector!.classes).toEqual(['area', 'bicubic']);
    const { classes: _, ...older } = ct;
    const mr = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => { j.detector = { ...older, graph: 'detector', modalities: ['MR'] }; j.graphs.detector = j.graphs.regression; }));
    expect(mr.detector!.classes).toEqual(['kspace', 'bicubic']);   // models before 2.9 name none: their detector is MR's
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
