/**
 * Every request and response shape of the API, as zod schemas: routes parse with them and the
 * OpenAPI document is generated from them, so the two cannot drift apart.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { UPSCALE_DEFAULTS } from '../shared/upscale-defaults';

extendZodWithOpenApi(z);

const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const UpscaleOptionsSchema = z
  .object({
    scale: z.coerce.number().pipe(z.union([z.literal(2), z.literal(4)])).default(UPSCALE_DEFAULTS.scale).openapi({ description: 'In-plane upscaling factor', example: 2 }),
    steps: intParam(1, 200).optional().openapi({ description: 'Denoising steps (model default when absent)' }),
    samples: intParam(1, 16).optional().openapi({ description: `Samples drawn (default ${UPSCALE_DEFAULTS.samples}); more than 1 also yields an uncertainty (std) image` }),
    seed: intParam(0, 2 ** 32 - 1).optional().openapi({ description: `Seed for reproducible noise (default ${UPSCALE_DEFAULTS.seed})` }),
    guidance: z.coerce.number().min(0).max(50).optional().openapi({ description: 'Classifier-free guidance scale (model default when absent; 1 = none)' }),
    degradation: z
      .enum(['auto', 'kspace', 'area', 'bicubic'])
      .optional()
      .openapi({ description: "What made the low-resolution input, if known: kspace (lower acquisition matrix), area (larger detector pixels), bicubic (resampled). Default auto: unknown (the model's default; MR is routed by its detector)" }),
    prompt: z.string().max(500).optional().openapi({ description: 'Overrides the prompt built from the DICOM metadata' }),
  })
  .openapi('UpscaleOptions');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'dicom.truncated' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const Uid = z.string().regex(/^[0-9.]{1,64}$/, 'must be a DICOM UID (digits and dots)');
export const StudyParams = z.object({ studyUID: Uid });
export const SeriesParams = StudyParams.extend({ seriesUID: Uid });
export const InstanceParams = SeriesParams.extend({ sopUID: Uid });
export const JobParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a job id') });
export const JobResultParams = JobParams.extend({ seriesUID: Uid, sopUID: Uid });

export const InstanceSummarySchema = z
  .object({
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
export const SeriesHeaderSchema = z.object(SeriesFields).openapi('SeriesHeader');
export const SeriesSchema = z.object({ ...SeriesFields, instances: z.array(InstanceSummarySchema) }).openapi('Series');
export const StudySchema = z
  .object({ studyInstanceUID: z.string(), description: z.string().optional(), series: z.array(SeriesHeaderSchema) })
  .openapi('Study');

export const UploadReportSchema = z
  .object({
    studies: z.array(StudySchema),
    instancesStored: z.number(),
    rejected: z.array(z.object({ file: z.string(), code: z.string(), message: z.string() })),
  })
  .openapi('UploadReport');

export const CreateJobSchema = z
  .object({
    studyInstanceUID: Uid,
    seriesInstanceUIDs: z.array(Uid).min(1).optional().openapi({ description: 'Every series of the study when absent' }),
    options: UpscaleOptionsSchema.default({ scale: UPSCALE_DEFAULTS.scale }),
  })
  .openapi('CreateJob');

const ErrorInfo = z.object({ code: z.string(), message: z.string() });
export const JobSchema = z
  .object({
    id: z.string(),
    state: z.enum(['queued', 'running', 'succeeded', 'partial', 'failed', 'cancelled']),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    studyInstanceUID: z.string(),
    options: UpscaleOptionsSchema,
    attempts: z.number(),
    progress: z.object({ total: z.number(), done: z.number(), failed: z.number(), fraction: z.number() }),
    outputs: z.array(z.object({ sourceSeriesInstanceUID: z.string(), seriesInstanceUID: z.string(), uncertaintySeriesInstanceUID: z.string() })),
    slices: z.array(
      z.object({
        seriesInstanceUID: z.string(),
        sopInstanceUID: z.string(),
        state: z.enum(['pending', 'done', 'failed']),
        error: ErrorInfo.optional(),
        durationMs: z.number().optional(),
      }),
    ),
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
  })
  .openapi('Job');

export const JobResultsSchema = z
  .object({
    jobId: z.string(),
    series: z.array(
      z.object({
        kind: z.enum(['super-resolution', 'uncertainty']),
        sourceSeriesInstanceUID: z.string(),
        seriesInstanceUID: z.string(),
        instances: z.array(z.object({ sopInstanceUID: z.string(), sourceSopInstanceUID: z.string().openapi({ description: 'The original slice it was made from' }), url: z.string() })),
      }),
    ),
  })
  .openapi('JobResults');

export const HealthSchema = z.object({ status: z.enum(['ok', 'not_ready']), queue: z.string().optional(), model: z.string().optional(), provider: z.string().optional() }).openapi('Health');

export const OptionDefaultsSchema = z
  .object({
    defaults: z.object({ scale: z.literal(2).or(z.literal(4)), samples: z.number(), seed: z.number(), steps: z.null(), guidance: z.null() }),
    limits: z.object({ steps: z.tuple([z.number(), z.number()]), samples: z.tuple([z.number(), z.number()]), seed: z.tuple([z.number(), z.number()]) }),
  })
  .openapi('OptionDefaults', { description: 'Upscale option defaults shared by the CLI, the API and the viewer; null: the model\'s own default' });
