import { EventEmitter } from 'node:events';
import { toMedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { SliceProcessor } from '../ports';
import type { Storage } from '../storage';
import type { StudyCatalog } from '../study-catalog';
import { stableUid } from '../../ingest';
import { FINAL_STATES, finalStateOf, type JobRecord, resultKeyOf, type SliceRecord } from './job-model';
import type { JobStore } from './job-store';

export interface JobRunnerDeps {
  store: JobStore;
  storage: Storage;
  catalog: Pick<StudyCatalog, 'loadInstance'>;
  processor: SliceProcessor;
  /** Local listeners (SSE in this process) hear of every saved update at once. */
  events?: EventEmitter;
  /** Slice durations and failures for /metrics. */
  onSlice?: (outcome: 'done' | 'failed', seconds: number) => void;
  /** Minimum gap between progress saves inside one slice. */
  progressSaveIntervalMs?: number;
  /** Slices of one job in flight at once: the inference pool's size, so every worker is busy. */
  sliceConcurrency?: number;
}

export const cancelKeyOf = (jobId: string): string => `jobs/${jobId}.cancel`;

export type JobRunner = (jobId: string, signal?: AbortSignal) => Promise<JobRecord>;

/**
 * Runs (or resumes) one job: every pending slice in order, each result written atomically before
 * the slice is marked done, so a crash at any point redoes at most the slice in flight. A slice
 * whose result file already exists (crash between the write and the state save) counts as done.
 */
export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  const { store, storage } = deps;
  const log = logger().child({ component: 'job-runner' });
  const interval = deps.progressSaveIntervalMs ?? 500;
  const concurrency = Math.max(1, deps.sliceConcurrency ?? 1);

  return async function runJob(jobId, signal) {
    const job = await store.load(jobId);
    if (FINAL_STATES.has(job.state)) return job;
    // a cancel marker ends the job for good; an aborted signal (shutdown) only interrupts it
    const cancelled = async (): Promise<boolean> => storage.exists(cancelKeyOf(jobId));
    // saves run one after another, so an older state can never land after a newer one
    let saving: Promise<void> = Promise.resolve();
    const save = (): Promise<void> => {
      saving = saving.then(async () => {
        await store.save(job);
        deps.events?.emit('job', job);
      });
      return saving;
    };
    const sliceFractions = new Map<SliceRecord, number>();
    let lastProgressSave = 0;

    job.state = 'running';
    job.attempts += 1;
    job.startedAt ??= new Date().toISOString();
    await save();
    log.info({ jobId, attempt: job.attempts, slices: job.slices.length }, 'job started');

    async function runSlice(slice: SliceRecord): Promise<void> {
      const output = job.outputs.find((o) => o.sourceSeriesInstanceUID === slice.seriesInstanceUID);
      if (!output) throw new Error(`job ${jobId} has no output series for ${slice.seriesInstanceUID}`);
      const sopInstanceUID = stableUid(jobId, slice.sopInstanceUID, 'sr');
      const uncertaintySopInstanceUID = stableUid(jobId, slice.sopInstanceUID, 'std');
      const resultKey = resultKeyOf(jobId, output.seriesInstanceUID, sopInstanceUID);
      const uncertaintyKey = resultKeyOf(jobId, output.uncertaintySeriesInstanceUID, uncertaintySopInstanceUID);

      if (await storage.exists(resultKey)) {
        slice.state = 'done';
        slice.resultKey = resultKey;
        if (await storage.exists(uncertaintyKey)) slice.uncertaintyKey = uncertaintyKey;
        await save();
        return;
      }
      const started = performance.now();
      try {
        const instance = await deps.catalog.loadInstance(slice.studyInstanceUID, slice.seriesInstanceUID, slice.sopInstanceUID);
        const result = await deps.processor(instance, {
          options: job.options,
          target: { seriesInstanceUID: output.seriesInstanceUID, uncertaintySeriesInstanceUID: output.uncertaintySeriesInstanceUID, sopInstanceUID, uncertaintySopInstanceUID },
          ...(signal ? { signal } : {}),
          onProgress: (fraction) => {
            sliceFractions.set(slice, fraction);
            job.currentSliceFraction = [...sliceFractions.values()].reduce((a, b) => a + b, 0);
            if (Date.now() - lastProgressSave >= interval) {
              lastProgressSave = Date.now();
              void save().catch(() => undefined);
            }
          },
        });
        // uncertainty first: the derived file's presence is what marks the slice complete
        if (result.uncertainty) {
          await storage.put(uncertaintyKey, result.uncertainty);
          slice.uncertaintyKey = uncertaintyKey;
        }
        await storage.put(resultKey, result.derived);
        slice.state = 'done';
        slice.resultKey = resultKey;
        if (result.degradation !== undefined) slice.degradation = result.degradation;
        if (result.paths !== undefined) slice.paths = result.paths;
        deps.onSlice?.('done', (performance.now() - started) / 1000);
      } catch (err) {
        if (signal?.aborted) return; // interrupted, not failed: the slice stays pending
        const e = toMedsrError(err);
        slice.state = 'failed';
        slice.error = { code: e.code, message: e.message };
        deps.onSlice?.('failed', (performance.now() - started) / 1000);
        log.warn({ jobId, code: e.code, err: e.message }, 'slice failed');
      } finally {
        sliceFractions.delete(slice);
        job.currentSliceFraction = [...sliceFractions.values()].reduce((a, b) => a + b, 0);
      }
      slice.durationMs = Math.round(performance.now() - started);
      await save();
    }

    // `concurrency` slices in flight (the inference pool's size), taken in order
    const pending = job.slices.filter((s) => s.state === 'pending');
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < pending.length) {
        if (signal?.aborted || (await cancelled())) return;
        const slice = pending[next++] as SliceRecord;
        await runSlice(slice);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, lane));

    delete job.currentSliceFraction;
    if (signal?.aborted && !(await cancelled())) {
      // interrupted by shutdown: left queued so the next start resumes it
      job.state = 'queued';
      await save();
      return job;
    }
    job.state = (await cancelled()) ? 'cancelled' : finalStateOf(job);
    job.finishedAt = new Date().toISOString();
    await save();
    log.info({ jobId, state: job.state }, 'job finished');
    return job;
  };
}
