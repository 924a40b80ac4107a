/**
 * Every request and response shape of the API, as zod schemas: routes parse with them and the
 * OpenAPI document is generated from them, so the two cannot drift apart. Request schemas are
 * strict (an unknown or misspelled key is a 400 naming it, never silently ignored); the upscale
 * options are built from the one definition in shared/upscale-options.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { DEGRADATION_MODES, MAX_PROMPT_LENGTH, RESAMPLERS, SCALES, SCHEDULER_NAMES, UPSCALE_DEFAULTS, UPSCALE_LIMITS, type UpscaleRequestOptions } from '../shared/upscale-options';

extendZodWithOpenApi(z);

const intParam = ([min, max]: readonly [number, number]) => z.coerce.number().int().min(min).max(max);
const [guidanceMin, guidanceMax] = UPSCALE_LIMITS.guidance;

const UpscaleOptionFields = {
  scale: z.coerce.number().pipe(z.union(SCALES.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<4>])).default(UPSCALE_DEFAULTS.scale).openapi({ description: 'In-plane upscaling factor', example: 2 }),
  steps: intParam(UPSCALE_LIMITS.steps).optional().openapi({ description: 'Denoising steps (model default when absent)' }),
  samples: intParam(UPSCALE_LIMITS.samples).optional().openapi({ description: `Samples drawn (default ${UPSCALE_DEFAULTS.samples}); more than 1 also yields an uncertainty (std) image` }),
  seed: intParam(UPSCALE_LIMITS.seed).optional().openapi({ description: `Seed for reproducible noise (default ${UPSCALE_DEFAULTS.seed})` }),
  guidance: z.coerce.number().min(guidanceMin).max(guidanceMax).optional().openapi({ description: 'Classifier-free guidance scale (model default when absent; 1 = none)' }),
  degradation: z
    .enum(DEGRADATION_MODES)
    .optional()
    .openapi({ description: "What made the low-resolution input, if known: kspace (lower acquisition matrix), area (larger detector pixels), bicubic (resampled). Default auto: unknown (the model's default; MR is routed by its detector)" }),
  resampler: z
    .enum(RESAMPLERS)
    .optional()
    .openapi({ description: "Which downsampler made a resampled input, if known: bicubic (PyTorch's antialiased and PIL's, the model's own), gaussian-spline (scikit-image's resize/rescale with anti_aliasing), lanczos (PIL), bilinear (PIL, PyTorch's antialiased). The resampled path projects onto it. Default auto: the model's resampler detector decides (MR at x2), else bicubic" }),
  scheduler: z.enum(SCHEDULER_NAMES).optional().openapi({ description: "Sampler (the model's scheduler.type when absent)" }),
  prompt: z.string().max(MAX_PROMPT_LENGTH).optional().openapi({ description: 'Overrides the prompt built from the DICOM metadata' }),
};

export const UpscaleOptionsSchema = z.strictObject(UpscaleOptionFields).openapi('UpscaleOptions');

// the schema and the shared type must describe the same options (a field added to one only fails here)
// (zod types an absent field `?: T | undefined`; the shared type, under exactOptionalPropertyTypes, `?: T`)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
/** Absent fields left out, not present as `undefined` (what service/ types expect under exactOptionalPropertyTypes). */
export type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };
const sameUpscaleOptions: Same<Defined<z.infer<typeof UpscaleOptionsSchema>>, UpscaleRequestOptions> = true;
void sameUpscaleOptions;

/** For routes that take no query parameters: any parameter is a 400 naming it. */
export const NoQuery = z.strictObject({});

export const ErrorSchema = z
  .strictObject({
    error: z.strictObject({
      code: z.string().openapi({ example: 'dicom.truncated' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const Uid = z.string().regex(/^[0-9.]{1,64}$/, 'must be a DICOM UID (digits and dots)');
export const StudyParams = z.strictObject({ studyUID: Uid });
export const SeriesParams = StudyParams.extend({ seriesUID: Uid });
export const InstanceParams = SeriesParams.extend({ sopUID: Uid });
export const JobParams = z.strictObject({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a job id') });
export const JobResultParams = JobParams.extend({ seriesUID: Uid, sopUID: Uid });

export const InstanceSummarySchema = z
  .strictObject({
    studyInstanceUID: z.string(),
    seriesInstanceUID: z.string(),
    sopInstanceUID: z.string(),
    modality: z.string(),
    instanceNumber: z.number().optional(),
    seriesNumber: z.number().optional(),
    seriesDescription: z.string().optional(),
    studyDescription: z.string().optional(),
    rows: z.number(),
    columns: z.number(),
    frames: z.number(),
    sliceLocation: z.number().optional(),
    prompt: z.string().optional(),
    bytes: z.number().optional().openapi({ description: 'Size of the stored DICOM file' }),
    storedAt: z.string().optional().openapi({ description: 'When the instance was stored (ISO 8601; retention counts from the latest of a study)' }),
  })
  .openapi('InstanceSummary');

const SeriesFields = {
  studyInstanceUID: z.string(),
  seriesInstanceUID: z.string(),
  modality: z.string(),
  seriesNumber: z.number().optional(),
  description: z.string().optional(),
  prompt: z.string().optional().openapi({ description: 'The prompt built from the DICOM metadata, used by jobs unless overridden' }),
  instanceCount: z.number(),
};
export const SeriesHeaderSchema = z.strictObject(SeriesFields).openapi('SeriesHeader');
export const SeriesSchema = z.strictObject({ ...SeriesFields, instances: z.array(InstanceSummarySchema) }).openapi('Series');
export const StudySchema = z
  .strictObject({ studyInstanceUID: z.string(), description: z.string().optional(), series: z.array(SeriesHeaderSchema) })
  .openapi('Study');

export const UploadReportSchema = z
  .strictObject({
    studies: z.array(StudySchema),
    instancesStored: z.number(),
    rejected: z.array(z.strictObject({ file: z.string(), code: z.string(), message: z.string() })),
  })
  .openapi('UploadReport');

export const CreateJobSchema = z
  .strictObject({
    studyInstanceUID: Uid,
    seriesInstanceUIDs: z.array(Uid).min(1).optional().openapi({ description: 'Every series of the study when absent' }),
    options: UpscaleOptionsSchema.default({ scale: UPSCALE_DEFAULTS.scale }),
  })
  .openapi('CreateJob');

const ErrorInfo = z.strictObject({ code: z.string(), message: z.string() });
const PathCounts = z.partialRecord(z.enum(DEGRADATION_MODES), z.number())
  .openapi({ description: 'Slices (frames, mosaic tiles) per path they ran down: the degradation told, or in auto the detector\'s pick' });
export const JobSchema = z
  .strictObject({
    id: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled']),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    studyInstanceUID: z.string(),
    options: UpscaleOptionsSchema,
    attempts: z.number(),
    progress: z.strictObject({ total: z.number(), done: z.number(), failed: z.number(), fraction: z.number() }),
    outputs: z.array(z.strictObject({ sourceSeriesInstanceUID: z.string(), seriesInstanceUID: z.string(), uncertaintySeriesInstanceUID: z.string() })),
    slices: z.array(
      z.strictObject({
        studyInstanceUID: z.string(),
        seriesInstanceUID: z.string(),
        sopInstanceUID: z.string(),
        state: z.enum(['pending', 'done', 'failed']),
        error: ErrorInfo.optional(),
        durationMs: z.number().optional(),
        degradation: z.string().optional().openapi({ description: 'How the degradation was handled, as the derived file\'s DerivationDescription says' }),
        paths: PathCounts.optional(),
      }),
    ),
    warnings: z
      .array(z.strictObject({ code: z.literal('series.mixed_paths'), seriesInstanceUID: z.string(), paths: PathCounts, message: z.string() }))
      .optional()
      .openapi({ description: 'Source series whose slices took different paths: auto was unsure how the series was made, and its derived slices sit on different pixel grids' }),
    route: z
      .object({
        destination: z.string().openapi({ description: 'AET@host:port' }),
        state: z.enum(['waiting', 'sending', 'retrying', 'sent', 'failed']),
        attempts: z.number(),
        sentInstances: z.number().optional(),
        lastError: z.string().optional(),
        nextAttemptAt: z.string().optional(),
        sentAt: z.string().optional(),
      })
      .optional()
      .openapi({ description: 'Auto-routing (MEDSR_AUTOROUTE): where the derived series are sent with C-STORE, and how that went' }),
    error: ErrorInfo.optional().openapi({ description: 'Why the whole job failed (per-slice errors are in slices)' }),
  })
  .openapi('Job');

export const JobResultsSchema = z
  .strictObject({
    jobId: z.string(),
    series: z.array(
      z.strictObject({
        kind: z.enum(['super-resolution', 'uncertainty']),
        sourceSeriesInstanceUID: z.string(),
        seriesInstanceUID: z.string(),
        instances: z.array(z.strictObject({ sopInstanceUID: z.string(), sourceSopInstanceUID: z.string().openapi({ description: 'The original slice it was made from' }), url: z.string() })),
      }),
    ),
  })
  .openapi('JobResults');

export const HealthSchema = z.strictObject({ status: z.enum(['ok', 'not_ready']), queue: z.string().optional(), model: z.string().optional(), provider: z.string().optional() }).openapi('Health');

const Range = z.tuple([z.number(), z.number()]);
/** GET /api/v1/options: shared/upscale-options' upscaleOptionCatalog(), which the viewer's form is built from. */
export const OptionCatalogSchema = z
  .strictObject({
    defaults: z.strictObject({
      scale: z.union(SCALES.map((s) => z.literal(s)) as [z.ZodLiteral<2>, z.ZodLiteral<4>]),
      samples: z.number(),
      seed: z.number(),
      steps: z.null(),
      guidance: z.null(),
      degradation: z.null(),
      resampler: z.literal('auto'),
      scheduler: z.null(),
    }),
    limits: z.strictObject({ steps: Range, samples: Range, seed: Range, guidance: Range }).openapi({ description: 'Inclusive bounds the API, the CLI and the pipeline all apply' }),
    choices: z.strictObject({ scale: z.array(z.number()), degradation: z.array(z.enum(DEGRADATION_MODES)), resampler: z.array(z.enum(RESAMPLERS)), scheduler: z.array(z.enum(SCHEDULER_NAMES)) }),
    maxPromptLength: z.number(),
  })
  .openapi('UpscaleOptionCatalog', { description: "Upscale option defaults, limits and choices shared by the CLI, the API and the viewer; null: the model's own default" });
