import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MedsrError } from '../shared/errors';

/**
 * models/<id>/model_index.json (docs/model-contract.md). Every model constant the pipeline uses
 * (latent channels/scale, downsample, scales, tiles, scheduler) is read from here and nowhere else.
 */
const Dim = z.union([z.number().int().positive(), z.string().min(1)]);
const TensorSpec = z.object({ type: z.enum(['float32', 'int64', 'float16']), shape: z.array(Dim) });
const GraphSpec = z.object({
  file: z.string().min(1),
  sha256: z.string().optional(),
  inputs: z.record(z.string(), TensorSpec),
  outputs: z.record(z.string(), TensorSpec),
});

/** The input/output names the pipeline feeds and reads, per graph (the contract's table). */
export const CONTRACT_IO = {
  text_encoder: { inputs: ['input_ids'], outputs: ['text_embeds'] },
  vae_encoder: { inputs: ['image'], outputs: ['latent'] },
  vae_decoder: { inputs: ['latent'], outputs: ['image'] },
  unet: { inputs: ['sample', 'condition', 'timestep', 'text_embeds'], outputs: ['model_output'] },
} as const;

export type PipelineGraph = keyof typeof CONTRACT_IO;

const Normalisation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('percentile'), low: z.number().min(0).max(100), high: z.number().min(0).max(100) }),
  z.object({ kind: z.literal('fixed'), min: z.number(), max: z.number() }),
]);

const Degradation = z.enum(['kspace', 'area', 'bicubic']);
/** How x_up is made from the LR slice (the contract's `upsampling`, per degradation). */
const Upsampling = z.enum(['bicubic', 'zero_fill']);

export const SchedulerConfigSchema = z
  .object({
    type: z.string().min(1),
    num_train_timesteps: z.number().int().positive(),
    beta_schedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']),
    beta_start: z.number().positive(),
    beta_end: z.number().positive(),
    prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']),
    init_strength: z.number().gt(0).max(1),
    default_steps: z.number().int().positive(),
    default_guidance: z.number().min(0),
  })
  .passthrough();

export const ManifestSchema = z
  .object({
    id: z.string().min(1),
    version: z.string().min(1),
    created: z.string().optional(),
    git: z.string().optional(),
    scales: z.array(z.number().int().min(2)).min(1),
    modalities: z.array(z.string()).default([]),
    graphs: z
      .object({
        text_encoder: GraphSpec,
        vae_encoder: GraphSpec,
        vae_decoder: GraphSpec,
        unet: GraphSpec,
        regression: GraphSpec.optional(),
      })
      .passthrough(),
    latent: z.object({ channels: z.number().int().positive(), downsample: z.number().int().positive(), scale_factor: z.number().positive() }),
    // in output (HR) pixels at every scale: a tile's cost is its latent area, whatever the scale
    tile: z.object({ multiple: z.number().int().positive(), output_size: z.number().int().positive(), output_overlap: z.number().int().min(0) }),
    preprocessing: z.record(z.string(), Normalisation),
    degradations: z
      .object({ default: Degradation, ct: z.object({ blur_sigma_px: z.number().min(0) }).optional() })
      .catchall(z.union([Degradation, z.object({ blur_sigma_px: z.number().min(0) })])),
    // absent in models made before it existed: they were all trained on bicubic x_up
    upsampling: z.object({ default: Upsampling }).catchall(Upsampling).optional(),
    tokenizer: z.object({ file: z.string().min(1) }),
    scheduler: SchedulerConfigSchema,
    training: z.unknown().optional(),
    metrics: z.unknown().optional(),
    reference: z.string().optional(),
  })
  .passthrough()
  .superRefine((m, ctx) => {
    for (const [graph, io] of Object.entries(CONTRACT_IO)) {
      const spec = m.graphs[graph as PipelineGraph];
      for (const side of ['inputs', 'outputs'] as const) {
        for (const name of io[side]) {
          if (!(name in spec[side])) ctx.addIssue({ code: 'custom', path: ['graphs', graph, side, name], message: `the contract requires ${side.slice(0, -1)} '${name}'` });
        }
      }
    }
    if (m.tile.output_overlap * 2 >= m.tile.output_size) ctx.addIssue({ code: 'custom', path: ['tile', 'output_overlap'], message: 'overlap must be less than half the tile size' });
  });

export type Manifest = z.infer<typeof ManifestSchema> & { /** absolute directory the manifest was read from */ dir: string };
export type SchedulerConfig = z.infer<typeof SchedulerConfigSchema>;
export type GraphSpec = z.infer<typeof GraphSpec>;
export type Degradation = z.infer<typeof Degradation>;
export type Upsampling = z.infer<typeof Upsampling>;

export function parseManifest(json: unknown, dir: string): Manifest {
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new MedsrError('model', 'manifest.invalid', `model_index.json in ${dir} is invalid: ${issues.join('; ')}`, { file: path.join(dir, 'model_index.json'), issues });
  }
  return { ...parsed.data, dir: path.resolve(dir) };
}

export async function loadManifest(modelDir: string): Promise<Manifest> {
  const file = path.join(modelDir, 'model_index.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new MedsrError('model', 'manifest.missing', `no model_index.json in ${modelDir}`, { file }, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MedsrError('model', 'manifest.json', `model_index.json in ${modelDir} is not JSON: ${(err as Error).message}`, { file }, { cause: err });
  }
  return parseManifest(json, modelDir);
}

/** The degradation the manifest assigns to a modality (MR -> kspace, CT -> area, else default). */
export function degradationFor(manifest: Manifest, modality: string): Degradation {
  const d = (manifest.degradations as Record<string, unknown>)[modality.toUpperCase()];
  return typeof d === 'string' ? (d as Degradation) : manifest.degradations.default;
}

export function ctBlurSigma(manifest: Manifest): number {
  return manifest.degradations.ct?.blur_sigma_px ?? 0;
}

/** How the model wants x_up made for data degraded by `degradation` (bicubic unless the manifest says). */
export function upsamplingFor(manifest: Manifest, degradation: Degradation): Upsampling {
  const u = manifest.upsampling;
  return u ? (u[degradation] ?? u.default) : 'bicubic';
}
