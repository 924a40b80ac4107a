import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MedsrError } from '../../shared/errors';
import { mixedPathWarnings, type MixedPathWarning } from '../mixed-paths';
import type { UpscaleOptions } from '../ports';
import type { Storage } from '../storage';
import type { StudyCatalog } from '../study-catalog';
import { newUid } from '../../ingest';
import { FINAL_STATES, type JobProgress, type JobRecord, progressOf } from './job-model';
import type { JobQueue } from './job-queue';
import { cancelKeyOf } from './job-runner';
import type { JobStore } from './job-store';

export interface CreateJobRequest {
  studyInstanceUID: string;
  /** Series to upscale; every series of the study when absent. */
  seriesInstanceUIDs?: string[];
  options: UpscaleOptions;
  /** Auto-routing: send the derived series to this DICOM node (`AET@host:port`) when done. */
  routeTo?: string;
}

export interface JobView extends JobRecord {
  progress: JobProgress;
  /** Source series whose slices took different paths so far (mixed-paths.ts); absent when none did. */
  warnings?: MixedPathWarning[];
}

export interface ResultInstance {
  sopInstanceUID: string;
  /** the original slice it was made from */
  sourceSopInstanceUID: string;
}

export interface ResultSeries {
  kind: 'super-resolution' | 'uncertainty';
  sourceSeriesInstanceUID: string;
  seriesInstanceUID: string;
  instances: ResultInstance[];
}

export interface JobService {
  create(request: CreateJobRequest): Promise<JobView>;
  get(id: string): Promise<JobView>;
  list(): Promise<JobView[]>;
  cancel(id: string): Promise<JobView>;
  results(id: string): Promise<ResultSeries[]>;
  /** The stored result files of a job as [zip entry name, storage key]. */
  resultFiles(id: string): Promise<Array<[string, string]>>;
  resultKey(id: string, seriesUID: string, sopUID: string): Promise<string>;
  /** Calls back on each update of the job until it is final; returns the unsubscribe. */
  watch(id: string, onUpdate: (job: JobView) => void, pollMs?: number): () => void;
}

export function viewOf(job: JobRecord): JobView {
  const warnings = mixedPathWarnings(job.slices);
  return { ...job, progress: progressOf(job), ...(warnings.length ? { warnings } : {}) };
}

export function createJobService(deps: {
  store: JobStore;
  storage: Storage;
  catalog: Pick<StudyCatalog, 'getStudy' | 'getSeries'>;
  queue: JobQueue;
  /** Updates saved in this process arrive here at once; others are found by polling storage. */
  events?: EventEmitter;
}): JobService {
  const { store, storage, catalog, queue } = deps;

  async function create(request: CreateJobRequest): Promise<JobView> {
    const study = await catalog.getStudy(request.studyInstanceUID);
    const seriesUIDs = request.seriesInstanceUIDs ?? study.series.map((s) => s.seriesInstanceUID);
    if (seriesUIDs.length === 0) throw new MedsrError('invalid_input', 'job.empty', 'the job names no series');
    const series = await Promise.all(seriesUIDs.map((uid) => catalog.getSeries(request.studyInstanceUID, uid)));
    const now = new Date().toISOString();
    const job: JobRecord = {
      id: randomUUID(),
      state: 'queued',
      createdAt: now,
      updatedAt: now,
      studyInstanceUID: request.studyInstanceUID,
      options: request.options,
      attempts: 0,
      outputs: series.map((s) => ({ sourceSeriesInstanceUID: s.seriesInstanceUID, seriesInstanceUID: newUid(), uncertaintySeriesInstanceUID: newUid() })),
      slices: series.flatMap((s) =>
        s.instances.map((i) => ({ studyInstanceUID: i.studyInstanceUID, seriesInstanceUID: i.seriesInstanceUID, sopInstanceUID: i.sopInstanceUID, state: 'pending' as const })),
      ),
      ...(request.routeTo ? { route: { destination: request.routeTo, state: 'waiting' as const, attempts: 0 } } : {}),
    };
    await store.save(job);
    try {
      await queue.enqueue(job.id);
    } catch (err) {
      // refused (queue full): the job never existed for the caller
      await storage.delete(`jobs/${job.id}.json`);
      throw err;
    }
    return viewOf(job);
  }

  async function results(id: string): Promise<ResultSeries[]> {
    const job = await store.load(id);
    const out: ResultSeries[] = [];
    for (const o of job.outputs) {
      const slices = job.slices.filter((s) => s.seriesInstanceUID === o.sourceSeriesInstanceUID);
      const made = (key: 'resultKey' | 'uncertaintyKey'): ResultInstance[] => slices.flatMap((s) => {
        const k = s[key];
        return k ? [{ sopInstanceUID: k.slice(k.lastIndexOf('/') + 1, -'.dcm'.length), sourceSopInstanceUID: s.sopInstanceUID }] : [];
      });
      out.push({ kind: 'super-resolution', sourceSeriesInstanceUID: o.sourceSeriesInstanceUID, seriesInstanceUID: o.seriesInstanceUID, instances: made('resultKey') });
      const std = made('uncertaintyKey');
      if (std.length > 0) out.push({ kind: 'uncertainty', sourceSeriesInstanceUID: o.sourceSeriesInstanceUID, seriesInstanceUID: o.uncertaintySeriesInstanceUID, instances: std });
    }
    return out;
  }

  return {
    create,
    async get(id) {
      return viewOf(await store.load(id));
    },
    async list() {
      return (await store.list()).map(viewOf);
    },
    async cancel(id) {
      const job = await store.load(id);
      if (FINAL_STATES.has(job.state)) return viewOf(job);
      await storage.put(cancelKeyOf(id), new Date().toISOString());
      if (job.state === 'queued') {
        // nobody is running it: mark it now (a runner that picks it up sees the marker and stops)
        job.state = 'cancelled';
        job.finishedAt = new Date().toISOString();
        await store.save(job);
      }
      return viewOf(job);
    },
    results,
    async resultFiles(id) {
      const job = await store.load(id);
      const files: Array<[string, string]> = [];
      for (const r of await results(id)) {
        const folder = `${r.kind === 'uncertainty' ? 'uncertainty' : 'sr'}-${r.sourceSeriesInstanceUID}`;
        for (const { sopInstanceUID: sop } of r.instances) files.push([`${folder}/${sop}.dcm`, `results/${job.id}/${r.seriesInstanceUID}/${sop}.dcm`]);
      }
      return files;
    },
    async resultKey(id, seriesUID, sopUID) {
      const files = await this.resultFiles(id);
      const key = `results/${id}/${seriesUID}/${sopUID}.dcm`;
      if (!files.some(([, k]) => k === key)) throw new MedsrError('not_found', 'result.not_found', `job ${id} has no result ${sopUID} in series ${seriesUID}`);
      return key;
    },
    watch(id, onUpdate, pollMs = 500) {
      let lastUpdated = '';
      let stopped = false;
      const emit = (job: JobRecord): void => {
        // ISO timestamps order as strings: the first poll's load can resolve after a newer live
        // event, and a stale record must not send progress backwards
        if (stopped || job.id !== id || job.updatedAt <= lastUpdated) return;
        lastUpdated = job.updatedAt;
        onUpdate(viewOf(job));
      };
      const onEvent = (job: JobRecord): void => emit(job);
      deps.events?.on('job', onEvent);
      const poll = async (): Promise<void> => {
        const job = await store.tryLoad(id).catch(() => undefined);
        if (job) emit(job);
      };
      void poll();
      const timer = setInterval(() => void poll(), pollMs);
      return () => {
        stopped = true;
        clearInterval(timer);
        deps.events?.off('job', onEvent);
      };
    },
  };
}
