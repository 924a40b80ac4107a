/** Every HTTP call the viewer makes, typed by the API's response shapes (the zod schemas in
 * src/api/schemas.ts, /api/v1). When the API changes, this is the one file to adapt. */

export interface InstanceSummary {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  modality: string;
  instanceNumber?: number;
  seriesDescription?: string;
  studyDescription?: string;
  rows: number;
  columns: number;
  frames: number;
  sliceLocation?: number;
  /** size of the stored file; absent for instances stored by older servers */
  bytes?: number;
}

export interface SeriesHeader {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  modality: string;
  seriesNumber?: number;
  description?: string;
  /** The prompt the server builds from the metadata (a job uses it unless overridden). */
  prompt?: string;
  instanceCount: number;
}

export interface Series extends SeriesHeader { instances: InstanceSummary[] }

export interface Study { studyInstanceUID: string; description?: string; series: SeriesHeader[] }

export interface UploadReport {
  studies: Study[];
  instancesStored: number;
  rejected: Array<{ file: string; code: string; message: string }>;
}

// the server's one definition of the upscale options; types only (erased from the bundle): the
// runtime defaults, limits and choices come from GET /api/v1/options
export type { DegradationModeName as DegradationMode, ResamplerName, UpscaleRequestOptions as UpscaleOptions, UpscaleOptionCatalog } from '../shared/upscale-options';
import type { DegradationModeName, UpscaleOptionCatalog, UpscaleRequestOptions as UpscaleOptions } from '../shared/upscale-options';

export type JobState = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

export interface ErrorInfo { code: string; message: string }

export interface Job {
  id: string;
  state: JobState;
  createdAt?: string;
  studyInstanceUID: string;
  options: UpscaleOptions;
  progress: { total: number; done: number; failed: number; fraction: number };
  outputs: Array<{ sourceSeriesInstanceUID: string; seriesInstanceUID: string; uncertaintySeriesInstanceUID: string }>;
  /** absent from the SSE updates (they carry a summary); present from GET /jobs/:id */
  slices?: Array<{ seriesInstanceUID: string; sopInstanceUID: string; state: 'pending' | 'done' | 'failed'; error?: ErrorInfo }>;
  error?: ErrorInfo;
  /** Series whose slices took different paths (the detector was unsure how they were made). */
  warnings?: Array<{ code: string; seriesInstanceUID: string; paths: Partial<Record<DegradationModeName, number>>; message: string }>;
}

export interface JobResults {
  jobId: string;
  series: Array<{
    kind: 'super-resolution' | 'uncertainty';
    sourceSeriesInstanceUID: string;
    seriesInstanceUID: string;
    /** sourceSopInstanceUID: the original slice each was made from */
    instances: Array<{ sopInstanceUID: string; sourceSopInstanceUID: string; url: string }>;
  }>;
}

/** A failed call, in the server's own words when it gave any. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const BASE = '/api/v1';
const enc = encodeURIComponent;

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body: unknown = text ? safeParse(text) : undefined;
  if (!response.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, err?.code ?? `http-${response.status}`,
      err?.message ?? (response.status >= 500 ? 'The server had a problem; please try again.' : response.statusText));
  }
  return body as T;
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return { error: { message: text.slice(0, 200) } }; }
}

/** Called on a 401; resolves once the user has signed in (the session cookie is set). */
let unauthorized: (() => Promise<void>) | undefined;

export function onUnauthorized(handler: () => Promise<void>): void {
  unauthorized = handler;
}

/** Trades the API key for the server's session cookie, which the browser then sends with every
 * request, EventSource and <img> included (they cannot carry an Authorization header). */
export async function signIn(key: string): Promise<void> {
  await readJson<unknown>(await fetch(`${BASE}/session`, { method: 'POST', headers: { authorization: `Bearer ${key}` } }));
}

/** A request that, when the server asks for the key, waits for the sign-in and tries once more. */
async function authorised(request: () => Promise<Response>): Promise<Response> {
  const response = await request();
  if (response.status !== 401 || !unauthorized) return response;
  await unauthorized();
  return request();
}

async function get<T>(path: string): Promise<T> {
  return readJson<T>(await authorised(() => fetch(`${BASE}${path}`, { headers: { accept: 'application/json' } })));
}

export async function listStudies(): Promise<Study[]> {
  const body = await get<Study[] | { studies: Study[] }>('/studies');
  return Array.isArray(body) ? body : body.studies;
}

/** What the study browser shows of a study, from QIDO-RS (the DICOMweb router under /api/v1). */
export interface StudyHeader {
  studyInstanceUID: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  accession: string;
  description: string;
  modalities: string[];
}

type DicomJson = Record<string, { Value?: unknown[] } | undefined>;
const text = (r: DicomJson, tag: string): string => {
  const v = r[tag]?.Value?.[0];
  return v && typeof v === 'object' ? String((v as { Alphabetic?: string }).Alphabetic ?? '') : v === undefined || v === null ? '' : String(v);
};

export async function searchStudies(): Promise<StudyHeader[]> {
  const records = await get<DicomJson[]>('/dicomweb/studies?includefield=StudyDescription');
  return records.map((r) => ({
    studyInstanceUID: text(r, '0020000D'),
    patientName: text(r, '00100010').replace(/\^+/g, ' ').trim(),
    patientId: text(r, '00100020'),
    studyDate: text(r, '00080020'),
    accession: text(r, '00080050'),
    description: text(r, '00081030'),
    modalities: (r['00080061']?.Value ?? []).map(String),
  }));
}

/** The upscale defaults, limits and choices the CLI and API apply (defaults null: the model's own). */
export function getOptionCatalog(): Promise<UpscaleOptionCatalog> {
  return get<UpscaleOptionCatalog>('/options');
}

/** Every job the server knows (they are kept on disk, so the history survives a reload). */
export async function listJobs(): Promise<Job[]> {
  return (await get<{ jobs: Job[] }>('/jobs')).jobs;
}

export function getSeries(studyUID: string, seriesUID: string): Promise<Series> {
  return get<Series>(`/studies/${enc(studyUID)}/series/${enc(seriesUID)}`);
}

/** Uploads with XMLHttpRequest because fetch() reports no upload progress. */
export async function uploadFiles(files: Array<{ file: File; path: string }>,
  onProgress: (fraction: number) => void): Promise<UploadReport> {
  try {
    return await uploadOnce(files, onProgress);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401 && unauthorized)) throw err;
    await unauthorized();
    return uploadOnce(files, onProgress);
  }
}

function uploadOnce(files: Array<{ file: File; path: string }>, onProgress: (fraction: number) => void): Promise<UploadReport> {
  const form = new FormData();
  for (const { file, path } of files) form.append('files', file, path);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${BASE}/studies`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The server could not be reached.'));
    xhr.onload = () => {
      // 422 still carries the report (nothing stored, every file rejected with its reason)
      const report = xhr.status === 422 ? safeParse(xhr.responseText) as Partial<UploadReport> : undefined;
      if (report && Array.isArray(report.rejected)) return resolve({ studies: [], instancesStored: 0, ...report } as UploadReport);
      readJson<UploadReport>(new Response(xhr.responseText, { status: xhr.status })).then(resolve, reject);
    };
    xhr.send(form);
  });
}

export function instanceUrl(studyUID: string, seriesUID: string, sopUID: string): string {
  return `${BASE}/studies/${enc(studyUID)}/series/${enc(seriesUID)}/instances/${enc(sopUID)}`;
}

export function thumbnailUrl(studyUID: string, seriesUID: string): string {
  return `${BASE}/studies/${enc(studyUID)}/series/${enc(seriesUID)}/thumbnail.png`;
}

export function startJob(studyUID: string, seriesUID: string, options: UpscaleOptions): Promise<Job> {
  return authorised(() => fetch(`${BASE}/jobs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ studyInstanceUID: studyUID, seriesInstanceUIDs: [seriesUID], options }),
  })).then((r) => readJson<Job>(r));
}

export function getJob(id: string): Promise<Job> {
  return get<Job>(`/jobs/${enc(id)}`);
}

export async function cancelJob(id: string): Promise<void> {
  await readJson<unknown>(await authorised(() => fetch(`${BASE}/jobs/${enc(id)}`, { method: 'DELETE' })));
}

export function getJobResults(id: string): Promise<JobResults> {
  return get<JobResults>(`/jobs/${enc(id)}/results`);
}

export function resultZipUrl(id: string): string {
  return `${BASE}/jobs/${enc(id)}/results.zip`;
}

/** Live job updates over server-sent events (`progress` events carry the job without its
 * slices; `end` closes the stream). The final state is fetched in full (with slices and their
 * errors). Returns a function that stops listening. */
export function watchJob(id: string, onUpdate: (job: Job) => void, onLost: (err: unknown) => void): () => void {
  const source = new EventSource(`${BASE}/jobs/${enc(id)}/events`);
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    source.close();
    getJob(id).then(onUpdate, onLost);
  };
  source.addEventListener('progress', (e: MessageEvent<string>) => {
    const job = safeParse(e.data) as Job;
    if (!job || typeof job.state !== 'string') return;
    if (FINAL_STATES.has(job.state)) finish(); else onUpdate(job);
  });
  source.addEventListener('end', finish);
  // EventSource reconnects by itself (retry: 2000); when it gives up, ask once directly
  source.onerror = () => { if (source.readyState === EventSource.CLOSED) finish(); };
  return () => { finished = true; source.close(); };
}
