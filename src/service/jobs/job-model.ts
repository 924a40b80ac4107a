import type { PathCounts } from '../mixed-paths';
import type { UpscaleOptions } from '../ports';

export type JobState = 'queued' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
export type SliceState = 'pending' | 'done' | 'failed';

export const FINAL_STATES: ReadonlySet<JobState> = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

export interface SliceRecord {
  studyInstanceUID: string;
  seriesInstanceUID: string;
  sopInstanceUID: string;
  state: SliceState;
  /** Storage keys of the results, once done. */
  resultKey?: string;
  uncertaintyKey?: string;
  error?: { code: string; message: string };
  durationMs?: number;
  /** How the degradation was handled, as the derived file's DerivationDescription records it (once done). */
  degradation?: string;
  /** The paths its frames ran down (once done; absent for a slice a resumed job found already written). */
  paths?: PathCounts;
}

/** The derived series made from one source series. UIDs fixed at creation, so retries reuse them. */
export interface OutputSeries {
  sourceSeriesInstanceUID: string;
  seriesInstanceUID: string;
  uncertaintySeriesInstanceUID: string;
}

/** Delivery of a job's derived series to a DICOM node (auto-routing), kept in the job itself. */
export interface RouteRecord {
  /** `AET@host:port` */
  destination: string;
  state: 'waiting' | 'sending' | 'retrying' | 'sent' | 'failed';
  /** Send attempts made so far. */
  attempts: number;
  sentInstances?: number;
  lastError?: string;
  nextAttemptAt?: string;
  sentAt?: string;
}

export interface JobRecord {
  id: string;
  state: JobState;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  studyInstanceUID: string;
  options: UpscaleOptions;
  outputs: OutputSeries[];
  slices: SliceRecord[];
  /** How many times a worker has started this job (resumes after a crash count too). */
  attempts: number;
  /** Summed fractions of the slices being processed now, for smoother progress. */
  currentSliceFraction?: number;
  error?: { code: string; message: string };
  /** Present when the job was queued by auto-routing: where its results go and how that went. */
  route?: RouteRecord;
}

export interface JobProgress {
  total: number;
  done: number;
  failed: number;
  /** 0..1 over all slices, counting the part of the current slice. */
  fraction: number;
}

export function progressOf(job: JobRecord): JobProgress {
  const total = job.slices.length;
  const done = job.slices.filter((s) => s.state === 'done').length;
  const failed = job.slices.filter((s) => s.state === 'failed').length;
  const running = job.state === 'running' ? (job.currentSliceFraction ?? 0) : 0;
  return { total, done, failed, fraction: total === 0 ? 1 : Math.min(1, (done + failed + running) / total) };
}

/** The state a job ends in once every slice has been tried. */
export function finalStateOf(job: JobRecord): JobState {
  const { total, done, failed } = progressOf(job);
  if (failed === 0 && done === total) return 'succeeded';
  if (done === 0) return 'failed';
  return 'partial';
}

export const resultKeyOf = (jobId: string, seriesUID: string, sopUID: string): string => `results/${jobId}/${seriesUID}/${sopUID}.dcm`;
