import { toMedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import { FINAL_STATES, type JobRecord } from '../jobs/job-model';
import type { JobService } from '../jobs/job-service';
import type { JobStore } from '../jobs/job-store';
import type { Storage } from '../storage';
import { type DicomNode, formatDicomNode, parseDicomNode, type SendInstances } from './destination';
import { createSeriesIdleTracker } from './series-idle';

export interface AutoRouteSettings {
  destination: DicomNode;
  scale: 2 | 4;
  /** Samples per slice; more than one adds the uncertainty series (sent as well). Service default when absent. */
  samples?: number | undefined;
  /** A series is complete once no instance arrived for this long. */
  idleMs: number;
  /** Send attempts per job before the route is marked failed. */
  attempts: number;
  /** First retry delay; doubles per attempt up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs?: number;
}

export interface AutoRouter {
  /** An instance of this series was received (DIMSE C-STORE or STOW-RS). */
  noteReceived(studyUID: string, seriesUID: string): void;
  /** An instance started arriving; the returned function ends that (stored or refused). */
  noteReceiving(): () => void;
  forgetStudy(studyUID: string): void;
  /** Resumes deliveries a previous process left unfinished. */
  start(): Promise<void>;
  close(): void;
}

/**
 * The auto-routing rule: every received series, once complete, becomes a job whose derived series
 * are sent to the destination with C-STORE, retried with exponential backoff. The job's `route`
 * field records each attempt and the last error, so a failure shows in the job.
 */
export function createAutoRouter(settings: AutoRouteSettings, deps: { jobs: JobService; store: JobStore; storage: Storage; send: SendInstances }): AutoRouter {
  const log = logger().child({ component: 'autoroute' });
  const destination = formatDicomNode(settings.destination);
  const watches = new Map<string, () => void>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const later = (ms: number, fn: () => void): void => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  async function update(jobId: string, change: (job: JobRecord) => void): Promise<JobRecord> {
    const job = await deps.store.load(jobId);
    change(job);
    await deps.store.save(job);
    return job;
  }

  async function deliver(jobId: string): Promise<void> {
    if (closed) return;
    const job = await deps.store.tryLoad(jobId);
    if (!job?.route || job.route.state === 'sent' || job.route.state === 'failed') return;
    const node = parseDicomNode(job.route.destination);
    const attempt = job.route.attempts + 1;
    await update(jobId, (j) => Object.assign(j.route as object, { state: 'sending', attempts: attempt }));
    try {
      const files = await deps.jobs.resultFiles(jobId);
      if (files.length === 0) throw new Error(`job ${job.state}: no derived instances to send`);
      const instances = await Promise.all(files.map(([, key]) => deps.storage.get(key)));
      await deps.send(node, instances);
      await update(jobId, (j) => {
        Object.assign(j.route as object, { state: 'sent', sentInstances: instances.length, sentAt: new Date().toISOString() });
        delete j.route?.lastError;
        delete j.route?.nextAttemptAt;
      });
      log.info({ jobId, destination: job.route.destination, instances: instances.length }, 'derived series sent');
    } catch (err) {
      const message = toMedsrError(err).message;
      const final = attempt >= settings.attempts || job.state === 'failed' || job.state === 'cancelled';
      const delay = Math.min(settings.backoffMs * 2 ** (attempt - 1), settings.maxBackoffMs ?? 300_000);
      await update(jobId, (j) => Object.assign(j.route as object, { state: final ? 'failed' : 'retrying', lastError: message, ...(final ? {} : { nextAttemptAt: new Date(Date.now() + delay).toISOString() }) }));
      log.warn({ jobId, attempt, err: message, final }, 'sending the derived series failed');
      if (!final) later(delay, () => void deliver(jobId).catch((e: unknown) => log.error({ jobId, err: String(e) }, 'delivery failed')));
    }
  }

  /** Delivers once the job is final (watching works with Redis workers too: it polls storage). */
  function deliverWhenDone(jobId: string): void {
    if (watches.has(jobId) || closed) return;
    const stop = deps.jobs.watch(jobId, (job) => {
      if (!FINAL_STATES.has(job.state)) return;
      watches.get(jobId)?.();
      watches.delete(jobId);
      void deliver(jobId).catch((e: unknown) => log.error({ jobId, err: String(e) }, 'delivery failed'));
    });
    watches.set(jobId, stop);
  }

  async function queueSeries(studyUID: string, seriesUID: string): Promise<void> {
    try {
      const job = await deps.jobs.create({ studyInstanceUID: studyUID, seriesInstanceUIDs: [seriesUID], options: { scale: settings.scale, ...(settings.samples ? { samples: settings.samples } : {}) }, routeTo: destination });
      log.info({ jobId: job.id, slices: job.slices.length }, 'series complete: job queued for auto-routing');
      deliverWhenDone(job.id);
    } catch (err) {
      const e = toMedsrError(err);
      if (e.kind === 'overloaded') {
        later(settings.backoffMs, () => void queueSeries(studyUID, seriesUID));
        return;
      }
      log.error({ code: e.code, err: e.message }, 'could not queue a received series');
    }
  }

  const idle = createSeriesIdleTracker(settings.idleMs, (study, series) => void queueSeries(study, series));

  return {
    noteReceived: (studyUID, seriesUID) => idle.noteArrival(studyUID, seriesUID),
    noteReceiving: () => idle.receiving(),
    forgetStudy: (studyUID) => idle.forgetStudy(studyUID),
    async start() {
      for (const job of await deps.store.list()) {
        const state = job.route?.state;
        if (state === 'waiting' || state === 'sending' || state === 'retrying') deliverWhenDone(job.id);
      }
    },
    close() {
      closed = true;
      idle.close();
      for (const stop of watches.values()) stop();
      watches.clear();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
