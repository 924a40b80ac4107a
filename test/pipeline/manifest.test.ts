/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import fs from 'node:fs';
import path from 'node:path';
import { degradationFor, loadManifest, uncertaintyScale, upsamplingFor } from '../../src/pipeline/manifest';
import { loadGraphs, releaseGraphs } from '../../src/pipeline/graphs';
import { TINY_MODEL_DIR } from './helpers/reference';
import { rejection } from './helpers/rejection';
import { parityModelDirs, variantModelDir } from './helpers/model-dirs';

describe('loadManifest', () => {
  it.each(parityModelDirs())('reads %s and takes model constants from it', async (dir) => {
    const m = await loadManifest(dir);
    const raw = JSON.parse(fs.readFileSync(path.join(dir, 'model_index.json'), 'utf8'));
    expect(m.latent).toEqual(raw.latent);
    expect(m.scheduler.num_train_timesteps).toBe(raw.scheduler.num_train_timesteps);
    expect(m.dir).toBe(path.resolve(dir));
  });

  it('maps modalities to degradations per the manifest', async () => {
    const m = await loadManifest(TINY_MODEL_DIR);
    expect(degradationFor(m, 'MR')).toBe('kspace');
    expect(degradationFor(m, 'ct')).toBe('area');
    expect(degradationFor(m, 'US')).toBe('bicubic');
  });

  it('maps modalities (model 2.0) or degradations (older models) to the x_up method, bicubic when it says nothing', async () => {
    const old = await loadManifest(TINY_MODEL_DIR);
    expect(old.upsampling).toBeUndefined();
    expect(upsamplingFor(old, 'MR', 'kspace')).toBe('bicubic');
    const m = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => {
      j.upsampling = { kspace: 'zero_fill', default: 'bicubic' };
    }));
    expect(upsamplingFor(m, 'MR', 'kspace')).toBe('zero_fill');
    expect(upsamplingFor(m, 'MR', 'area')).toBe('bicubic');
    const byModality = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => {
      j.upsampling = { MR: 'zero_fill', CT: 'bicubic', default: 'bicubic' };
    }));
    expect(upsamplingFor(byModality, 'mr', 'auto')).toBe('zero_fill');
    expect(upsamplingFor(byModality, 'MR', 'bicubic')).toBe('zero_fill');
    expect(upsamplingFor(byModality, 'CT', 'auto')).toBe('bicubic');
    const err = await rejection(loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => {
      j.upsampling = { kspace: 'sinc', default: 'bicubic' };
    })));
    expect(err.message).toContain('upsampling.kspace');
  });

  it('scales the uncertainty per path taken where the model calibrated that path, else pooled per modality and scale', async () => {
    const m = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => {
      j.uncertainty = { band_sd: 2, coverage_target: 0.95, sd_scale: { MR: { '2': 100, '4': 70 }, default: { '2': 5 } },
        sd_scale_path: { MR: { kspace: { '2': 120 }, bicubic: { '2': 80, '4': 60 } } } };
    }));
    expect(uncertaintyScale(m, 'mr', 2, 'kspace')).toBe(120);
    expect(uncertaintyScale(m, 'MR', 2, 'bicubic')).toBe(80);
    expect(uncertaintyScale(m, 'MR', 4, 'kspace')).toBe(70);   // no k-space x4 entry: pooled
    expect(uncertaintyScale(m, 'MR', 4, 'bicubic')).toBe(60);
    expect(uncertaintyScale(m, 'CT', 2, 'area')).toBe(5);
    expect(uncertaintyScale(m, 'CT', 4, 'area')).toBe(1);
    const old = await loadManifest(variantModelDir(TINY_MODEL_DIR, (j) => {
      j.uncertainty = { band_sd: 2, coverage_target: 0.95, sd_scale: { MR: { '2': 100 } } };
    }));
    expect(uncertaintyScale(old, 'MR', 2, 'kspace')).toBe(100);
  });

  it('names the field that is wrong', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (m) => {
      m.latent.scale_factor = 'big';
      delete m.scheduler.prediction_type;
    });
    const err = await rejection(loadManifest(dir));
    expect(err.kind).toBe('model');
    expect(err.code).toBe('manifest.invalid');
    expect(err.message).toContain('latent.scale_factor');
    expect(err.message).toContain('scheduler.prediction_type');
  });

  it('requires the contract input/output names for every graph', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (m) => {
      m.graphs.unet.inputs.cond = m.graphs.unet.inputs.condition;
      delete m.graphs.unet.inputs.condition;
    });
    const err = await rejection(loadManifest(dir));
    expect(err.message).toContain('graphs.unet.inputs.condition');
  });

  it('reports a missing or unreadable manifest as a model error', async () => {
    expect((await rejection(loadManifest(path.join(TINY_MODEL_DIR, 'nope')))).code).toBe('manifest.missing');
  });
});

describe('graphs are checked against the manifest when the model loads', () => {
  it('opens every graph with the names the manifest declares', async () => {
    const graphs = await loadGraphs(await loadManifest(TINY_MODEL_DIR), { device: 'cpu' });
    expect(graphs.unet.inputNames).toEqual(['sample', 'condition', 'timestep', 'text_embeds']);
    await releaseGraphs(graphs);
  });

  it('fails, naming graph and names, when a graph has an input the manifest lacks', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (m) => {
      m.graphs.vae_encoder.outputs.extra = { type: 'float32', shape: ['B'] };
    });
    const err = await rejection(loadGraphs(await loadManifest(dir), { device: 'cpu' }));
    expect(err.kind).toBe('model');
    expect(err.code).toBe('graph.names');
    expect(err.message).toContain('vae_encoder');
    expect(err.message).toContain('extra');
  });

  it('fails when a graph file is missing', async () => {
    const dir = variantModelDir(TINY_MODEL_DIR, (m) => {
      m.graphs.unet.file = 'missing.onnx';
    });
    expect((await rejection(loadGraphs(await loadManifest(dir), { device: 'cpu' }))).code).toBe('graph.missing');
  });
});
