import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { MedsrError } from '../shared/errors';
import { DEGRADATION_MODES, SIMULATED_DEGRADATIONS, UPSCALE_LIMITS } from '../shared/upscale-options';

/**
 * models/<id>/model_index.json (docs/model-contract.md). Every model constant the pipeline uses
 * (latent channels/scale, downsample, scales, tiles, scheduler) is read from here and nowhere else.
 *
 * Every object is strict: a field this file does not declare (a misspelling, or a setting
 * training/export.py added that the pipeline would silently ignore) is a load error naming it.
 * Fields the pipeline does not act on are declared too, marked "metadata" with what they are for.
 */
const Dim = z.union([z.number().int().positive(), z.string().min(1)]);
const TensorSpec = z.strictObject({ type: z.enum(['float32', 'int64', 'float16']), shape: z.array(Dim) });
const GraphSpec = z.strictObject({
  file: z.string().min(1),
  /** metadata: the file's SHA-256, for release checks (not hashed at load: `bytes` is checked instead). */
  sha256: z.string().optional(),
  /** The file's size: checked when the graph loads (a truncated copy or a Git LFS pointer fails there, by name). */
  bytes: z.number().int().positive().optional(),
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
  z.strictObject({ kind: z.literal('percentile'), low: z.number().min(0).max(100), high: z.number().min(0).max(100) }),
  z.strictObject({ kind: z.literal('fixed'), min: z.number(), max: z.number() }),
]);

/** The degradations the pipeline has an exact projection for (and can simulate for evaluation). */
const Degradation = z.enum(SIMULATED_DEGRADATIONS);
/** What the pipeline may assume about an input: a known degradation, or `auto` (unknown). */
const DegradationMode = z.enum(DEGRADATION_MODES);
/** How x_up is made from the LR slice (the contract's `upsampling`, per modality; older models: per degradation). */
const Upsampling = z.enum(['bicubic', 'zero_fill']);

/**
 * The projection for `auto`: only the band where every known degradation leaves the spectrum almost
 * unchanged is made to agree with the input (full weight to `pass`, cosine taper to 0 at `stop`,
 * fractions of the LR Nyquist frequency per axis).
 */
/** Where LR pixel i sits on the HR grid: at s i (k-space truncation) or at s i + (s - 1) / 2 (resampling, detector pixels). */
const SamplingGrid = z.enum(['kspace', 'centred']);
const AutoConsistency = z
  .object({
    kind: z.literal('lowband'),
    pass: z.number().min(0).max(1),
    stop: z.number().gt(0).max(1),
    // per modality, the grid of its x_up (MR zero-filled: kspace; CT bicubic: centred)
    grid: z.object({ default: SamplingGrid }).catchall(SamplingGrid), // per modality; catchall: any modality key, each a grid
  })
  .strict()
  .refine((c) => c.stop > c.pass, { message: 'stop must be above pass' });

/** Words the pipeline puts before the prompt to tell the network the scale and the degradation mode. */
const Conditioning = z
  .object({ scale_words: z.record(z.string(), z.string().min(1)), degradation_words: z.record(DegradationMode, z.string().min(1)) })
  .strict();

/**
 * A reader that routes `auto` slices of its modalities to one of two told paths (a small CNN graph, one logit per scale, the
 * logit of P(classes[0])): training/detector.py (`detector`: MR, k-space or resampled) and training/ct_detector.py
 * (`ct_detector`, model 2.9: CT, detector pixels or resampled).
 */
const DegradationDetector = z
  .object({
    kind: z.literal('cnn'),
    graph: z.enum(['detector', 'ct_detector']),
    /** the scale of each of the graph's logits, in order */
    scales: z.array(z.string()).min(1),
    min_side: z.number().int().min(1),
    fallback: Degradation,
    modalities: z.array(z.string()),
    /** modalities the detector does not judge but routes to one told path (model 2.1.0: CT -> bicubic) */
    routes: z.record(z.string(), Degradation).default({}),
    /** P(classes[0]) at or above it: classes[0], else classes[1] */
    threshold: z.number().gt(0).lt(1),
    /** the two paths it tells apart, the one its logits are for first; absent: k-space, resampled */
    classes: z.tuple([Degradation, Degradation]).default(['kspace', 'bicubic']),
    train_iterations: z.number().int().min(0),
    train_accuracy: z.record(z.string(), z.number()),
  })
  .strict();

/**
 * training/resampler_detector.py (model 2.10): for an MR slice on the resampled path, P(scikit-image's Gaussian +
 * spline made it rather than the contract's bicubic or a filter like it); a small CNN graph, one logit per scale. The
 * path projects onto the two operators blended by that P (src/pipeline/resample/resamplers.ts).
 */
const ResamplerDetector = z
  .object({
    kind: z.literal('cnn'),
    graph: z.literal('resampler_detector'),
    /** the scale of each of the graph's logits, in order; other scales keep the contract's operator */
    scales: z.array(z.string()).min(1),
    min_side: z.number().int().min(1),
    modalities: z.array(z.string()),
    /** what its logits are P of, then the other class */
    classes: z.tuple([z.literal('gaussian-spline'), z.literal('bicubic')]),
    train_iterations: z.number().int().min(0),
    train_accuracy: z.record(z.string(), z.number()),
  })
  .strict();

/**
 * training/refiner.py: a pixel-space network that follows the diffusion on some paths (model 2.2: MR k-space; 2.4: also MR resampled). It
 * takes the projected sample and the scale and returns the image to project again. training/ct_refiner.py (`ct_refiner`, model 2.9): the
 * same network fine-tuned for CT's paths.
 */
const Refiner = z
  .object({
    graph: z.enum(['refiner', 'ct_refiner']),
    modalities: z.array(z.string()).min(1),
    degradations: z.array(Degradation).min(1),
    /** metadata: its training iterations */
    train_iterations: z.number().int().min(0),
    /** passes per path and scale ({"kspace": {"2": 2}}): each pass runs the refiner, then the path's projection; one where none is named, none at 0 */
    passes: z.record(z.string(), z.record(z.string(), z.number().int().min(0).max(4))).optional(),
    /** the diffusion's steps on its paths when the request names none (model 2.8: 1); scheduler.default_steps where absent */
    steps: z.number().int().min(UPSCALE_LIMITS.steps[0]).max(UPSCALE_LIMITS.steps[1]).optional(),
  })
  .strict();

/**
 * training/bandlimit.py (model 2.4.1): an MR input whose own spectrum ends inside its band (a scanner zero-filled
 * it) gets nothing beyond its band along that axis, and `auto` takes `route` for it. The cliff: the mean power of
 * the bins just inside it over the power beyond, at least `drop_db`; looked for from `lowest` of Nyquist to `tail`
 * (and 3 bins) before it, on axes of `min_pixels` or more.
 */
const BandLimitSpec = z
  .object({
    modalities: z.array(z.string()).min(1),
    /** the path `auto` takes for such an input (a scanner's zero-filled reconstruction sits on the k-space grid) */
    route: Degradation,
    drop_db: z.number().positive(),
    min_pixels: z.number().int().min(8),
    lowest: z.number().gt(0).lt(1),
    tail: z.number().gt(0).lt(1),
  })
  .strict();
export type BandLimitSpec = z.infer<typeof BandLimitSpec>;

const ScaleTable = z.record(z.string(), z.number().positive());

/**
 * Calibration of the uncertainty map (conformal, from validation): sqrt(SD^2 + (gradient_weight x the mean's local
 * gradient)^2) (model 2.12.0; absent: 0, the SD alone) multiplied by sd_scale_path[modality][path][scale] where
 * validation took that path (model 2.4.1: the k-space and resampled MR paths' samples spread differently), else by
 * sd_scale[modality][scale], pooled over paths.
 */
const Uncertainty = z
  .object({
    band_sd: z.number().positive(),
    coverage_target: z.number().gt(0).lt(1),
    gradient_weight: z.number().nonnegative().optional(),
    sd_scale: z.record(z.string(), ScaleTable),
    sd_scale_path: z.record(z.string(), z.record(z.string(), ScaleTable)).optional(),
  })
  .strict();

/**
 * The noise schedule and sampling defaults (diffusers' scheduler config names). The pipeline's
 * samplers implement one variant of diffusers' options; the manifest may state them (model 2.0
 * does), and a value the samplers do not implement fails at load instead of being ignored.
 */
export const SchedulerConfigSchema = z
  .strictObject({
    type: z.string().min(1),
    num_train_timesteps: z.number().int().positive(),
    beta_schedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']),
    beta_start: z.number().positive(),
    beta_end: z.number().positive(),
    prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']),
    init_strength: z.number().gt(0).max(1),
    default_steps: z.number().int().positive(),
    default_guidance: z.number().min(0),
    /** Timesteps from t_start down towards 0, evenly (schedulers/noise-schedule trailingTimesteps): only `trailing`. */
    timestep_spacing: z.literal('trailing').optional(),
    /** DDIM's stochasticity: the DDIM sampler is deterministic (eta 0). */
    eta: z.literal(0).optional(),
    /** abar before the first step is 1 (the clean end), as base-scheduler computes it. */
    set_alpha_to_one: z.literal(true).optional(),
    /** The samplers never clip x0 (values outside [-1, 1] are real intensities here). */
    clip_sample: z.literal(false).optional(),
    /** [first, last] timestep the U-Net was trained on: sampling must start inside it (checked below). */
    trained_timesteps: z.tuple([z.number().int().min(0), z.number().int().min(0)]).optional(),
  })
  .superRefine((s, ctx) => {
    // the first timestep sampled is round(init_strength * T) - 1 (docs/model-contract.md); a U-Net never trained there would be run out of its range
    const tStart = Math.round(s.init_strength * s.num_train_timesteps) - 1;
    if (s.trained_timesteps && (tStart > s.trained_timesteps[1] || s.trained_timesteps[0] > s.trained_timesteps[1])) {
      ctx.addIssue({ code: 'custom', path: ['trained_timesteps'], message: `sampling starts at timestep ${tStart} (init_strength ${s.init_strength}), outside the trained range [${s.trained_timesteps.join(', ')}]` });
    }
  });

/** metadata: free-form reports written by training/ (the model card's numbers); only bench reads metrics.flops_512. */
const TrainingReport = z.record(z.string(), z.unknown());

export const ManifestSchema = z
  .strictObject({
    id: z.string().min(1),
    version: z.string().min(1),
    /** metadata: when training/export.py wrote the model (ISO 8601). */
    created: z.string().optional(),
    /** metadata: the commit of the recipe that trained it. */
    git: z.string().optional(),
    scales: z.array(z.number().int().min(2)).min(1),
    /** metadata: the modalities it was trained on (others run with the `default` entries of the tables below). */
    modalities: z.array(z.string()).default([]),
    graphs: z
      .strictObject({
        text_encoder: GraphSpec,
        vae_encoder: GraphSpec,
        vae_decoder: GraphSpec,
        unet: GraphSpec,
        regression: GraphSpec.optional(),
        detector: GraphSpec.optional(),
        ct_detector: GraphSpec.optional(),
        resampler_detector: GraphSpec.optional(),
        refiner: GraphSpec.optional(),
        ct_refiner: GraphSpec.optional(),
      }),
    latent: z.strictObject({ channels: z.number().int().positive(), downsample: z.number().int().positive(), scale_factor: z.number().positive() }),
    // in output (HR) pixels at every scale: a tile's cost is its latent area, whatever the scale
    tile: z.strictObject({ multiple: z.number().int().positive(), output_size: z.number().int().positive(), output_overlap: z.number().int().min(0) }),
    preprocessing: z.record(z.string(), Normalisation),
    // per modality (upper-case keys) the degradation evaluation simulates; `ct` holds CT's blur
    degradations: z
      .object({ default: Degradation, ct: z.strictObject({ blur_sigma_px: z.number().min(0) }).optional() })
      .catchall(Degradation),
    // absent in models made before it existed: they were all trained on bicubic x_up
    upsampling: z.object({ default: Upsampling }).catchall(Upsampling).optional(),
    // model 2.0 on; absent in older models (which assume the modality's degradation and no task words)
    default_degradation: DegradationMode.optional(),
    // floor_depth (model 2.13): how far below an unsigned file's floor the k-space projection holds a pixel stored at
    // it, per unit of its 3 x 3 neighbourhood's largest value (consistency/kspace.ts `flooredInput`); absent: the floor
    consistency: z.strictObject({ auto: AutoConsistency, floor_depth: z.number().min(0).max(1).optional() }).optional(),
    conditioning: Conditioning.optional(),
    detector: DegradationDetector.optional(),
    /** model 2.9: judges the modalities it names before `detector` does (its routes no longer reach them) */
    ct_detector: DegradationDetector.optional(),
    /** model 2.10: the resampled path's operator for the modalities it names */
    resampler_detector: ResamplerDetector.optional(),
    refiner: Refiner.optional(),
    /** model 2.9: the refiner of the modalities it names (CT), in place of `refiner` there */
    ct_refiner: Refiner.optional(),
    band_limit: BandLimitSpec.optional(),
    uncertainty: Uncertainty.optional(),
    tokenizer: z.strictObject({ file: z.string().min(1) }),
    scheduler: SchedulerConfigSchema,
    /** metadata: the recipe's settings, data, hardware and timings (models/README.md is written from it). */
    training: TrainingReport.optional(),
    /** metadata: validation results, sizes and FLOPs (bench reads flops_512.unet). */
    metrics: TrainingReport.optional(),
    /** metadata: folder (relative to the model) of reference inputs and outputs for the parity tests. */
    reference: z.string().optional(),
  })
  .superRefine((m, ctx) => {
    for (const [graph, io] of Object.entries(CONTRACT_IO)) {
      const spec = m.graphs[graph as PipelineGraph];
      for (const side of ['inputs', 'outputs'] as const) {
        for (const name of io[side]) {
          if (!(name in spec[side])) ctx.addIssue({ code: 'custom', path: ['graphs', graph, side, name], message: `the contract requires ${side.slice(0, -1)} '${name}'` });
        }
      }
    }
    if ((m.default_degradation === 'auto' || m.conditioning?.degradation_words.auto) && !m.consistency?.auto) ctx.addIssue({ code: 'custom', path: ['consistency', 'auto'], message: "a model that supports the 'auto' degradation must define its projection" });
    for (const name of ['detector', 'ct_detector'] as const) {
      if (m[name] && !m.graphs[name]) ctx.addIssue({ code: 'custom', path: ['graphs', name], message: `the degradation detector '${name}' needs its graph` });
      if (m[name] && m[name].graph !== name) ctx.addIssue({ code: 'custom', path: [name, 'graph'], message: `the degradation detector '${name}' runs graph '${name}'` });
    }
    if (m.resampler_detector && !m.graphs.resampler_detector) ctx.addIssue({ code: 'custom', path: ['graphs', 'resampler_detector'], message: "the resampler detector needs its graph" });
    for (const name of ['refiner', 'ct_refiner'] as const) {
      if (m[name] && !m.graphs[name]) ctx.addIssue({ code: 'custom', path: ['graphs', name], message: `the refiner '${name}' needs its graph` });
      if (m[name] && m[name].graph !== name) ctx.addIssue({ code: 'custom', path: [name, 'graph'], message: `the refiner '${name}' runs graph '${name}'` });
    }
    if (m.tile.output_overlap * 2 >= m.tile.output_size) ctx.addIssue({ code: 'custom', path: ['tile', 'output_overlap'], message: 'overlap must be less than half the tile size' });
  });

export type Manifest = z.infer<typeof ManifestSchema> & { /** absolute directory the manifest was read from */ dir: string };
export type SchedulerConfig = z.infer<typeof SchedulerConfigSchema>;
export type GraphSpec = z.infer<typeof GraphSpec>;
export type Degradation = z.infer<typeof Degradation>;
export type DegradationMode = z.infer<typeof DegradationMode>;
export type AutoConsistency = z.infer<typeof AutoConsistency>;
export type SamplingGrid = z.infer<typeof SamplingGrid>;
export type DegradationDetector = z.infer<typeof DegradationDetector>;
export type ResamplerDetectorSpec = z.infer<typeof ResamplerDetector>;
export type RefinerSpec = z.infer<typeof Refiner>;
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

/** The typical degradation of a modality (MR -> kspace, CT -> area, else default): what evaluation simulates. */
export function degradationFor(manifest: Manifest, modality: string): Degradation {
  const d = (manifest.degradations as Record<string, unknown>)[modality.toUpperCase()];
  return typeof d === 'string' ? (d as Degradation) : manifest.degradations.default;
}

/** What the pipeline assumes when the user does not say: `auto` for models that support it, else the modality's degradation. */
export function defaultDegradationMode(manifest: Manifest, modality: string): DegradationMode {
  return manifest.default_degradation ?? degradationFor(manifest, modality);
}

/** The degradation modes a model accepts: the known ones, plus `auto` when it defines the auto projection. */
export function degradationModes(manifest: Manifest): DegradationMode[] {
  return manifest.consistency?.auto ? [...DEGRADATION_MODES] : [...SIMULATED_DEGRADATIONS];
}

/** The text the text encoder sees: the task words (scale, degradation mode) first, then the prompt. */
export function conditionedPrompt(manifest: Manifest, prompt: string, scale: number, mode: DegradationMode): { conditional: string; unconditional: string } {
  const c = manifest.conditioning;
  if (!c) return { conditional: prompt, unconditional: '' };
  const words = [c.scale_words[String(scale)], c.degradation_words[mode]].filter((w): w is string => Boolean(w)).join(' ');
  return { conditional: `${words} ${prompt}`.trim(), unconditional: words };
}

/** The SD multiplier that calibrates the uncertainty map for a modality, scale and path taken (1 when the model has none). */
export function uncertaintyScale(manifest: Manifest, modality: string, scale: number, mode: DegradationMode): number {
  const key = modality.toUpperCase();
  const byPath = manifest.uncertainty?.sd_scale_path?.[key]?.[mode]?.[String(scale)];
  const table = manifest.uncertainty?.sd_scale;
  return byPath ?? table?.[key]?.[String(scale)] ?? table?.default?.[String(scale)] ?? 1;
}

/** The weight of the mean's local gradient in the uncertainty map (0 when the model has none: the SD alone). */
export function uncertaintyGradientWeight(manifest: Manifest): number {
  return manifest.uncertainty?.gradient_weight ?? 0;
}

/** The k-space projection's depth below a stored floor (manifest `consistency.floor_depth`; 0: the floor itself). */
export function floorDepth(manifest: Manifest): number {
  return manifest.consistency?.floor_depth ?? 0;
}

export function ctBlurSigma(manifest: Manifest): number {
  return manifest.degradations.ct?.blur_sigma_px ?? 0;
}

/**
 * How the model wants x_up made: per modality (model 2.0: MR zero-filled whatever the degradation),
 * or per degradation in older models; bicubic unless the manifest says.
 */
export function upsamplingFor(manifest: Manifest, modality: string, mode: DegradationMode): Upsampling {
  const u = manifest.upsampling;
  if (!u) return 'bicubic';
  return u[modality.toUpperCase()] ?? u[mode] ?? u.default;
}
