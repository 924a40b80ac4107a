/** Every HTTP call the viewer makes, typed by the API's response shapes (/api/v1). When the
 * API changes, this is the one file to adapt. */

export interface InstanceSummary {
  sopInstanceUID: string;
  instanceNumber: number | null;
  rows: number;
  columns: number;
  frames: number;
}

export interface SeriesSummary {
  seriesInstanceUID: string;
  studyInstanceUID: string;
  modality: string;
  description: string;
  rows: number;
  columns: number;
  pixelSpacing: [number, number] | null;
  instanceCount: number;
  sizeBytes: number;
  /** the prompt built from this series' metadata, to pre-fill the job form */
  prompt: string;
  instances: InstanceSummary[];
  derivedFrom?: string | undefined;
}

export interface StudySummary {
  studyInstanceUID: string;
  description: string;
  date: string;
  series: SeriesSummary[];
}

export interface RejectedFile { file: string; reason: string; code?: string }

export interface UploadResult { studies: StudySummary[]; rejected: RejectedFile[] }

export interface JobRequest {
  seriesInstanceUID: string;
  scale: 2 | 4;
  steps?: number;
  samples?: number;
  seed?: number;
  prompt?: string;
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobStatus {
  id: string;
  state: JobState;
  /** 0..1 */
  progress: number;
  message?: string;
  error?: { code: string; message: string } | null;
  result?: JobResult | null;
}

export interface JobResult {
  derivedSeriesInstanceUID: string;
  uncertaintySeriesInstanceUID: string | null;
  failures?: Array<{ sopInstanceUID: string; reason: string }>;
}

/** A failed call, with the server's own words when it gave any. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const BASE = '/api/v1';

async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  const body: unknown = text ? safeParse(text) : undefined;
  if (!response.ok) {
    const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(response.status, err?.code ?? `http-${response.status}`,
      err?.message ?? (text.slice(0, 200) || response.statusText));
  }
  return body as T;
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return { error: { message: text.slice(0, 200) } }; }
}

export async function listStudies(): Promise<StudySummary[]> {
  const body = await readJson<{ studies: StudySummary[] }>(await fetch(`${BASE}/studies`));
  return body.studies;
}

export async function getSeries(seriesUID: string): Promise<SeriesSummary> {
  return readJson<SeriesSummary>(await fetch(`${BASE}/series/${encodeURIComponent(seriesUID)}`));
}

/** Uploads with XMLHttpRequest because fetch() reports no upload progress. */
export function uploadFiles(files: Array<{ file: File; path: string }>,
  onProgress: (fraction: number) => void): Promise<UploadResult> {
  const form = new FormData();
  for (const { file, path } of files) form.append('files', file, path);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `${BASE}/studies`);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The server could not be reached.'));
    xhr.onload = () => {
      const response = new Response(xhr.responseText, { status: xhr.status });
      readJson<UploadResult>(response).then(resolve, reject);
    };
    xhr.send(form);
  });
}

export function instanceUrl(seriesUID: string, sopUID: string): string {
  return `${BASE}/series/${encodeURIComponent(seriesUID)}/instances/${encodeURIComponent(sopUID)}`;
}

/** Decoded pixels as an uncompressed Part 10 file, for originals in compressed syntaxes. */
export function decodedInstanceUrl(seriesUID: string, sopUID: string): string {
  return `${instanceUrl(seriesUID, sopUID)}?transferSyntax=1.2.840.10008.1.2.1`;
}

export function thumbnailUrl(seriesUID: string): string {
  return `${BASE}/series/${encodeURIComponent(seriesUID)}/thumbnail`;
}

export async function startJob(request: JobRequest): Promise<JobStatus> {
  return readJson<JobStatus>(await fetch(`${BASE}/jobs`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
  }));
}

export async function getJob(id: string): Promise<JobStatus> {
  return readJson<JobStatus>(await fetch(`${BASE}/jobs/${encodeURIComponent(id)}`));
}

export async function cancelJob(id: string): Promise<void> {
  await readJson<unknown>(await fetch(`${BASE}/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' }));
}

/** Live job progress over server-sent events; returns a function that stops listening. */
export function watchJob(id: string, onUpdate: (job: JobStatus) => void): () => void {
  const source = new EventSource(`${BASE}/jobs/${encodeURIComponent(id)}/events`);
  const handle = (e: MessageEvent<string>) => {
    const job = safeParse(e.data) as JobStatus;
    onUpdate(job);
    if (job.state !== 'queued' && job.state !== 'running') source.close();
  };
  source.onmessage = handle;
  for (const name of ['progress', 'state', 'done']) source.addEventListener(name, handle as EventListener);
  return () => source.close();
}

export function resultZipUrl(jobId: string): string {
  return `${BASE}/jobs/${encodeURIComponent(jobId)}/result.zip`;
}
