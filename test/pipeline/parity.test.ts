/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { SeededRng } from '../../src/shared/rng';
import { createTensor } from '../../src/shared/tensor';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { conditionedPrompt, type DegradationMode } from '../../src/pipeline/manifest';
import { conditionInput } from '../../src/pipeline/resample/condition-input';
import { SrPipeline } from '../../src/pipeline/sr-pipeline';
import { applyConsistency, consistencyResidual } from '../../src/pipeline/consistency';
import { kspaceConsistency } from '../../src/pipeline/consistency/kspace';
import { createScheduler } from '../../src/pipeline/schedulers';
import { StageTimer } from '../../src/pipeline/timings';
import type { GraphInput } from '../../src/pipeline/runtime/onnx-session';
import { f32, loadReferences, maxRelativeDiff, type RefTensor } from './helpers/reference';
import { parityModelDirs } from './helpers/model-dirs';

const TOLERANCE = 1e-4;

function feed(t: RefTensor): GraphInput {
  return t.data instanceof BigInt64Array ? { int64: t.data, shape: t.shape } : createTensor(t.shape, t.data);
}

// Every model dir's reference/ tensors (made by the Python side) reproduced by onnxruntime-node.
describe.each(parityModelDirs())('parity with the reference tensors of %s', (modelDir) => {
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadModel(modelDir, { device: 'cpu' });
  });
  afterAll(async () => {
    if (model) await disposeModel(model);
  });

  const refs = loadReferences(modelDir);
  const graphRefs = refs.filter((r) => ['text_encoder', 'vae_encoder', 'vae_decoder', 'unet', 'regression', 'detector', 'ct_detector', 'resampler_detector', 'refiner', 'ct_refiner'].includes(r.graph));

  it('has a reference for every graph it ships', () => {
    expect(new Set(graphRefs.map((r) => r.graph))).toEqual(new Set(Object.keys(model.graphs)));
  });

  it.each(graphRefs.map((r) => [r.name, r] as const))('graph reference %s within 1e-4', async (_name, ref) => {
    const session = model.graphs[ref.graph as keyof typeof model.graphs]!;
    const feeds = Object.fromEntries(Object.entries(ref.inputs).map(([k, v]) => [k, feed(v)]));
    const out = await session.run(feeds);
    for (const [name, want] of Object.entries(ref.outputs)) {
      expect(out[name]?.shape).toEqual(want.shape);
      expect(maxRelativeDiff(out[name]!.data, f32(want))).toBeLessThan(TOLERANCE);
    }
  });

  const pipelineRef = refs.find((r) => r.graph === 'pipeline');
  (pipelineRef ? it : it.skip)('a full pipeline run (tokens, x_up, condition, z_T, every step, decode, DC) within 1e-4', async () => {
    const ref = pipelineRef!;
    const p = ref.raw as { scale: number; modality?: string; prompt: string; text?: string; steps: number; guidance: number; timesteps: number[]; input_ids: number[]; init_strength: number; degradation: DegradationMode; kspace_dc?: string };
    const t = ref.tensors;
    const close = (got: ArrayLike<number>, name: string): void => {
      const d = maxRelativeDiff(got, f32(t[name]));
      if (!(d < TOLERANCE)) throw new Error(`${name} differs from the reference by ${d} (relative)`);
    };
    const pipeline = new SrPipeline(model, new StageTimer());
    const lr = { data: f32(t.lr_norm), height: t.lr_norm!.shape[2]!, width: t.lr_norm!.shape[3]! };

    // the text encoder sees the task words (scale, degradation mode) before the prompt
    const text = conditionedPrompt(model.manifest, p.prompt, p.scale, p.degradation);
    expect(text.conditional).toBe(p.text ?? p.prompt);
    expect(model.tokenizer.encode(text.conditional)).toEqual(p.input_ids);
    const xUp = conditionInput(model.manifest, lr, p.scale, p.modality ?? 'MR', p.degradation);
    close(xUp.data, 'x_up');
    const condition = await pipeline.encodeCondition(xUp);
    close(condition.data, 'condition');
    const embeds = await pipeline.encodePrompt(text, p.guidance);
    close(embeds.data.subarray(embeds.data.length - f32(t.text_embeds).length), 'text_embeds');

    const scheduler = createScheduler(model.manifest.scheduler, 'ddim');
    scheduler.setTimesteps(p.steps, { initStrength: p.init_strength });
    expect([...scheduler.timesteps]).toEqual(p.timesteps);
    const noise = f32(t.noise);
    close(scheduler.addNoise(condition.data, noise, scheduler.timesteps[0]!), 'z_start');
    const settings = { scheduler: 'ddim', steps: p.steps, guidance: p.guidance, initStrength: p.init_strength };
    const z = await pipeline.denoise(condition, embeds, noise, settings, new SeededRng(0), (zi, i) => close(zi, `latent_${i}`));
    const decoded = await pipeline.decode(z);
    close(decoded.data, 'decoded');

    if (p.degradation === 'kspace' && t.data_consistent) {
      // references made before the recipe mirrored the Nyquist line used the literal formula
      // (real part, mirror left as it was); newer ones say `kspace_dc: "hermitian"`, as ours does
      const recipe = kspaceConsistency(decoded, lr, { mirrorNyquist: p.kspace_dc === 'hermitian' });
      close(recipe.data, 'data_consistent');
      const ours = applyConsistency(decoded, lr, p.scale, 'kspace', { blurSigma: 0 });
      expect(ours.residual).toBeLessThan(1e-6);
      expect(ours.residual).toBeLessThanOrEqual(consistencyResidual(recipe, lr, p.scale, 'kspace', { blurSigma: 0 }) + 1e-9);
    }
    if (p.degradation === 'auto') {
      const ours = applyConsistency(decoded, lr, p.scale, 'auto', { blurSigma: 0, auto: model.manifest.consistency?.auto, modality: p.modality ?? 'MR' });
      close(ours.image.data, 'data_consistent');
    }
    if (t.regression && model.graphs.regression) {
      const out = await model.graphs.regression.run({ image: createTensor([1, 1, xUp.height, xUp.width], xUp.data) });
      close(Object.values(out)[0]!.data, 'regression');
    }
  });
});
