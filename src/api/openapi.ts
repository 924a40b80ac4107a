import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as S from './schemas';

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const binary = (type: string, description: string) => ({ description, content: { [type]: { schema: { type: 'string' as const, format: 'binary' } } } });
const errors = {
  400: json(S.ErrorSchema, 'Invalid request; details.issues names each field, or (code request.unknown_field) details.field names an unknown query parameter or body field'),
  401: json(S.ErrorSchema, 'API key missing or wrong (when the server has one)'),
  404: json(S.ErrorSchema, 'Not found'),
};
const busy = { 503: json(S.ErrorSchema, 'Queue full: retry after the Retry-After header') };

/** The OpenAPI 3.1 document, generated from the same zod schemas the routes parse with. */
export function buildOpenApiDocument(version: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  return new OpenApiGeneratorV31(apiRegistry().definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'medsr',
      version,
      description: 'Super-resolution for MRI/CT DICOM. Outputs are derived images for research: not for diagnosis.',
    },
    security: [{ bearer: [] }, { session: [] }],
  });
}

/**
 * Every documented route with its zod request and response schemas. The document is generated
 * from it, and the API tests check each JSON response against the schema it documents
 * (test/api/helpers/checked-json.ts), so an answer cannot drift from the document unnoticed.
 */
export function apiRegistry(): OpenAPIRegistry {
  const r = new OpenAPIRegistry();
  r.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Only when the server sets MEDSR_API_KEY' });
  const get = (path: string, summary: string, responses: Record<number, unknown>, params?: z.ZodObject, tags = ['studies']) =>
    r.registerPath({ method: 'get', path, summary, tags, ...(params ? { request: { params } } : {}), responses: { ...responses, ...errors } as never });

  r.registerPath({ method: 'get', path: '/healthz', summary: 'Liveness: the process answers', tags: ['operations'], responses: { 200: json(S.HealthSchema, 'Alive') } });
  r.registerPath({ method: 'get', path: '/readyz', summary: 'Readiness: the model is loaded', tags: ['operations'], responses: { 200: json(S.HealthSchema, 'Ready'), 503: json(S.HealthSchema, 'Model not loaded') } });
  r.registerPath({ method: 'get', path: '/metrics', summary: 'Prometheus metrics', tags: ['operations'], responses: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } } } });

  r.registerPath({
    method: 'post',
    path: '/api/v1/upscale',
    summary: 'Upscale one DICOM slice synchronously',
    description: 'Body: one Part 10 DICOM file. Answers the derived DICOM, or with `Accept: image/png` its stored values as a 16-bit greyscale PNG (signed data offset by X-Medsr-Value-Offset). Header X-Medsr-Degradation says how the degradation was handled, e.g. `auto->kspace (detector P(kspace)=0.97; exact projection; pixel refiner, projected again (2 passes))` at x2.',
    tags: ['upscale'],
    request: { query: S.UpscaleOptionsSchema, body: { required: true, content: { 'application/dicom': { schema: { type: 'string', format: 'binary' } } } } },
    responses: { 200: { description: 'Derived instance', content: { 'application/dicom': { schema: { type: 'string', format: 'binary' } }, 'image/png': { schema: { type: 'string', format: 'binary' } } } }, 415: json(S.ErrorSchema, 'Not DICOM, or a kind of image not handled (colour)'), ...errors, ...busy } as never,
  });

  r.registerPath({
    method: 'post',
    path: '/api/v1/studies',
    summary: 'Upload DICOM files or zip archives (multipart/form-data, any field names)',
    tags: ['studies'],
    request: { body: { content: { 'multipart/form-data': { schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } } } } } } },
    responses: { 201: json(S.UploadReportSchema, 'Stored instances and rejected files with reasons'), 422: json(S.UploadReportSchema, 'Nothing usable in the upload'), 413: json(S.ErrorSchema, 'Upload too large or too many files'), ...errors } as never,
  });
  get('/api/v1/studies', 'List stored studies', { 200: json(z.strictObject({ studies: z.array(S.StudySchema) }), 'Studies') });
  get('/api/v1/studies/{studyUID}', 'One study and its series', { 200: json(S.StudySchema, 'Study') }, S.StudyParams);
  r.registerPath({ method: 'delete', path: '/api/v1/studies/{studyUID}', summary: 'Delete a study: its originals, its jobs and their results, from storage (also DELETE /dicomweb/studies/{studyUID})', tags: ['studies'], request: { params: S.StudyParams }, responses: { 200: json(z.strictObject({ studyInstanceUID: z.string(), deleted: z.literal(true), jobsDeleted: z.number() }), 'Deleted'), ...errors } as never });
  get('/api/v1/studies/{studyUID}/series/{seriesUID}', 'One series and its instances, in slice order', { 200: json(S.SeriesSchema, 'Series') }, S.SeriesParams);
  get('/api/v1/studies/{studyUID}/series/{seriesUID}/thumbnail.png', 'Middle slice of a series as a windowed PNG', { 200: binary('image/png', 'PNG') }, S.SeriesParams);
  get('/api/v1/studies/{studyUID}/series/{seriesUID}/instances/{sopUID}', 'A stored instance as DICOM', { 200: binary('application/dicom', 'DICOM') }, S.InstanceParams);
  get('/api/v1/studies/{studyUID}/series/{seriesUID}/instances/{sopUID}/native', 'A stored instance with its pixels decoded and stored uncompressed (Explicit VR Little Endian; same SOP instance)', { 200: binary('application/dicom', 'DICOM') }, S.InstanceParams);
  get('/api/v1/studies/{studyUID}/series/{seriesUID}/instances/{sopUID}/preview.png', 'A stored instance as a windowed PNG', { 200: binary('image/png', 'PNG') }, S.InstanceParams);

  get('/api/v1/options', 'Upscale option defaults, limits and choices (the same for the CLI, the API and the viewer)', { 200: json(S.OptionCatalogSchema, 'Defaults, limits and choices') }, undefined, ['jobs']);
  r.registerPath({ method: 'post', path: '/api/v1/jobs', summary: 'Upscale a study or some of its series in the background', tags: ['jobs'], request: { body: { content: { 'application/json': { schema: S.CreateJobSchema } } } }, responses: { 202: json(S.JobSchema, 'Queued'), ...errors, ...busy } as never });
  get('/api/v1/jobs', 'List jobs', { 200: json(z.strictObject({ jobs: z.array(S.JobSchema) }), 'Jobs') }, undefined, ['jobs']);
  get('/api/v1/jobs/{id}', 'Job state, progress and per-slice errors', { 200: json(S.JobSchema, 'Job') }, S.JobParams, ['jobs']);
  r.registerPath({ method: 'delete', path: '/api/v1/jobs/{id}', summary: 'Cancel a job (finished slices are kept)', tags: ['jobs'], request: { params: S.JobParams }, responses: { 202: json(S.JobSchema, 'Cancelling or cancelled'), ...errors } as never });
  r.registerComponent('securitySchemes', 'session', { type: 'apiKey', in: 'cookie', name: 'medsr_session', description: 'Set by POST /api/v1/session (browsers: EventSource, images and links cannot send headers)' });
  r.registerPath({ method: 'post', path: '/api/v1/session', summary: 'Trade the API key (Bearer) for an HttpOnly, SameSite=Strict session cookie', tags: ['session'], responses: { 204: { description: 'Cookie set (or no key configured: nothing to do)' }, 401: errors[401] } as never });
  r.registerPath({ method: 'delete', path: '/api/v1/session', summary: 'Clear the session cookie', tags: ['session'], security: [], responses: { 204: { description: 'Cleared' } } as never });
  get('/api/v1/jobs/{id}/events', 'Progress as server-sent events (`progress`, then `end`)', { 200: { description: 'SSE stream', content: { 'text/event-stream': { schema: z.string() } } } }, S.JobParams, ['jobs']);
  get('/api/v1/jobs/{id}/results', 'Result series and instance URLs (super-resolution and uncertainty)', { 200: json(S.JobResultsSchema, 'Results') }, S.JobParams, ['jobs']);
  get('/api/v1/jobs/{id}/results.zip', 'All result instances as a zip', { 200: binary('application/zip', 'Zip of sr-<series>/ and uncertainty-<series>/ folders') }, S.JobParams, ['jobs']);
  get('/api/v1/jobs/{id}/results/{seriesUID}/{sopUID}', 'One result instance as DICOM', { 200: binary('application/dicom', 'DICOM') }, S.JobResultParams, ['jobs']);
  get('/api/v1/jobs/{id}/results/{seriesUID}/{sopUID}/preview.png', 'One result instance as a windowed PNG', { 200: binary('image/png', 'PNG') }, S.JobResultParams, ['jobs']);

  return r;
}
