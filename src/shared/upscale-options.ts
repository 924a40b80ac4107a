/**
 * The one definition of what a caller may ask of an upscale: enum values, limits and defaults.
 * It lives in shared/ because every layer needs it: the pipeline validates against it, the API
 * builds its zod schemas from it, the CLI its commander parsers, the service its port types, and
 * the viewer (types only) its form, with the runtime values from GET /api/v1/options.
 * Plain data and types only (no zod, no imports), so the browser bundle can `import type` it.
 */

/** In-plane factors the pipeline knows; a model may support fewer (its manifest's `scales`). */
export const SCALES = [2, 4] as const;
export type Scale = (typeof SCALES)[number];

/** What made the low-resolution input: a known degradation, or `auto` (unknown). */
export const DEGRADATION_MODES = ['auto', 'kspace', 'area', 'bicubic'] as const;
export type DegradationModeName = (typeof DEGRADATION_MODES)[number];

/**
 * Which downsampler made a resampled input, if known: `bicubic` the antialiased bicubic of PyTorch (`antialias=True`)
 * and PIL (the model's own), `gaussian-spline` scikit-image's `resize` / `rescale` with anti_aliasing (a Gaussian, then
 * the cubic spline), `lanczos` PIL's LANCZOS, `bilinear` PIL's BILINEAR and PyTorch's antialiased bilinear. The
 * resampled path projects onto that operator; `auto` (the default): the model's resampler detector blends the first
 * two (MR at x2), the contract's bicubic elsewhere.
 */
export const RESAMPLERS = ['auto', 'bicubic', 'gaussian-spline', 'lanczos', 'bilinear'] as const;
export type ResamplerName = (typeof RESAMPLERS)[number];

/** The degradations evaluation can simulate (`auto` is not a way of making an input). */
export const SIMULATED_DEGRADATIONS = ['kspace', 'area', 'bicubic'] as const;
export type SimulatedDegradation = (typeof SIMULATED_DEGRADATIONS)[number];

/** Samplers in src/pipeline/schedulers (its registry is typed by this list, so they cannot drift). */
export const SCHEDULER_NAMES = ['ddim', 'ddpm', 'dpmsolver++'] as const;
export type SchedulerName = (typeof SCHEDULER_NAMES)[number];

/** Where inference runs: the CLI's --device, MEDSR_DEVICE and the runtime's provider choice. */
export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
export type DeviceName = (typeof DEVICES)[number];

/**
 * Inclusive bounds, the same at the API, the CLI and the pipeline (a value the CLI accepts never
 * fails later in the pipeline). Samples: K U-Net passes per slice each; 16 already costs 16x.
 * Seed: a uint32 (sample k uses seed + k mod 2^32).
 */
export const UPSCALE_LIMITS = Object.freeze({
  steps: [1, 200] as const,
  samples: [1, 16] as const,
  seed: [0, 2 ** 32 - 1] as const,
  guidance: [0, 50] as const,
});
export type LimitedOption = keyof typeof UPSCALE_LIMITS;

/** Longest prompt override, in characters (the tokenizer keeps far fewer tokens anyway). */
export const MAX_PROMPT_LENGTH = 500;

/**
 * The defaults of one upscale, the same for the CLI, the REST API, auto-routing and the viewer.
 * Steps, guidance, scheduler and degradation are absent on purpose: they default to the loaded
 * model's own settings (its manifest), whichever model that is.
 */
export const UPSCALE_DEFAULTS = Object.freeze({ scale: 2 as Scale, samples: 1, seed: 0 });

/** What a caller may ask of one upscale (API query/job options, CLI flags, viewer form). */
export interface UpscaleRequestOptions {
  scale: Scale;
  steps?: number;
  samples?: number;
  seed?: number;
  /** Classifier-free guidance scale (model default when absent; 1 = none). */
  guidance?: number;
  /** What made the input, if known (model default when absent: `auto` for model 2.0). */
  degradation?: DegradationModeName;
  /** Which downsampler made a resampled input, if known (default `auto`); used where the resampled path runs. */
  resampler?: ResamplerName;
  /** Sampler (model default when absent: its manifest's scheduler.type). */
  scheduler?: SchedulerName;
  /** Overrides the prompt built from the DICOM metadata. */
  prompt?: string;
}

/** The body of GET /api/v1/options: what a client needs to offer the options (null: the model's default). */
export interface UpscaleOptionCatalog {
  defaults: { scale: Scale; samples: number; seed: number; steps: null; guidance: null; degradation: null; resampler: 'auto'; scheduler: null };
  limits: { [K in LimitedOption]: [number, number] };
  choices: { scale: Scale[]; degradation: DegradationModeName[]; resampler: ResamplerName[]; scheduler: SchedulerName[] };
  maxPromptLength: number;
}

export function upscaleOptionCatalog(): UpscaleOptionCatalog {
  const range = (r: readonly [number, number]): [number, number] => [r[0], r[1]];
  return {
    defaults: { ...UPSCALE_DEFAULTS, steps: null, guidance: null, degradation: null, resampler: 'auto', scheduler: null },
    limits: { steps: range(UPSCALE_LIMITS.steps), samples: range(UPSCALE_LIMITS.samples), seed: range(UPSCALE_LIMITS.seed), guidance: range(UPSCALE_LIMITS.guidance) },
    choices: { scale: [...SCALES], degradation: [...DEGRADATION_MODES], resampler: [...RESAMPLERS], scheduler: [...SCHEDULER_NAMES] },
    maxPromptLength: MAX_PROMPT_LENGTH,
  };
}

/**
 * Options that contradict each other, in words (undefined: none). Naming a downsampler (`resampler`) says the input was
 * resampled: with `degradation` kspace or area it contradicts that.
 */
export function optionConflict(options: { degradation?: DegradationModeName | undefined; resampler?: ResamplerName | undefined }): string | undefined {
  const { degradation, resampler } = options;
  if (!resampler || resampler === 'auto' || !degradation || degradation === 'auto' || degradation === 'bicubic') return undefined;
  return `resampler '${resampler}' says the input was resampled, but degradation '${degradation}' says it was not: name the downsampler with degradation bicubic or auto`;
}

/** Whether `value` is inside an option's bounds (integers only, except guidance). */
export function withinLimit(option: LimitedOption, value: number): boolean {
  const [min, max] = UPSCALE_LIMITS[option];
  const integral = option !== 'guidance';
  return Number.isFinite(value) && (!integral || Number.isInteger(value)) && value >= min && value <= max;
}

/** The bound as words, for error messages: "an integer in 1..16". */
export function describeLimit(option: LimitedOption): string {
  const [min, max] = UPSCALE_LIMITS[option];
  return `${option === 'guidance' ? 'a number' : 'an integer'} in ${min}..${max}`;
}
