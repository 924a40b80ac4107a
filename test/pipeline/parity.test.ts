/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import { SeededRng } from '../../src/shared/rng';
import { createTensor } from '../../src/shared/tensor';
import { disposeModel, loadModel, type LoadedModel } from '../../src/pipeline/model';
import { bicubicUpsample } from '../../src/pipeline/resample/bicubic';
import { SrPipeline } from '../../src/pipeline/sr-pipeline';
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
  const graphRefs = refs.filter((r) => ['text_encoder', 'vae_encoder', 'vae_decoder', 'unet', 'regression'].includes(r.graph));

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
  (pipelineRef ? it : it.skip)('a full pipeline run (tokens, x_up, condition, z_T, guided step, decode) within 1e-4', async () => {
    const ref = pipelineRef!;
    const params = ref.raw.params as { scale: number; prompt: string; scheduler: string; steps: number; guidance: number; timesteps?: number[] };
    const pipeline = new SrPipeline(model, new StageTimer());
    const lrT = ref.inputs.lr!;
    const lr = { data: f32(lrT), height: lrT.shape[2]!, width: lrT.shape[3]! };
    const close = (got: ArrayLike<number>, name: string): void => {
      const want = ref.outputs[name];
      if (want) expect(maxRelativeDiff(got, f32(want))).toBeLessThan(TOLERANCE);
    };
    const ids = model.tokenizer.encodeBatch(params.guidance === 1 ? [params.prompt] : [params.prompt, '']);
    if (ref.outputs.input_ids) expect(Array.from(ids.int64)).toEqual(Array.from(ref.outputs.input_ids.data as BigInt64Array));
    const xUp = bicubicUpsample(lr, params.scale);
    close(xUp.data, 'x_up');
    const condition = await pipeline.encodeCondition(xUp);
    close(condition.data, 'condition');
    const text = await pipeline.encodePrompt(params.prompt, params.guidance);
    const settings = { scheduler: params.scheduler, steps: params.steps, guidance: params.guidance, initStrength: model.manifest.scheduler.init_strength };
    // the first step, then the whole loop, from the reference noise
    const noise = f32(ref.inputs.noise);
    const scheduler = createScheduler(model.manifest.scheduler, params.scheduler);
    scheduler.setTimesteps(params.steps, { initStrength: settings.initStrength });
    if (params.timesteps) expect([...scheduler.timesteps]).toEqual(params.timesteps);
    close(scheduler.addNoise(condition.data, noise, scheduler.timesteps[0]!), 'z_start');
    const z = await pipeline.denoise(condition, text, noise, settings, new SeededRng(0), (zi, index) => {
      if (index === 0) close(zi, 'z_step1');
    });
    const image = await pipeline.decode(z);
    close(image.data, 'image');
  });
});
