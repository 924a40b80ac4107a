import { MedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { JobQueue } from './job-queue';
import type { JobRunner } from './job-runner';
import type { JobStore } from './job-store';

export interface EmbeddedQueueOptions {
  runJob: JobRunner;
  store: JobStore;
  /** Jobs waiting beyond this are refused (503 + Retry-After) instead of piling up. */
  maxQueued: number;
  /** Jobs run at once; inference parallelism lives in the pipeline's worker pool. */
  concurrency?: number;
  /** False: accept jobs but run none until resume() (a server whose model is still loading). */
  autoStart?: boolean;
}

export interface EmbeddedQueue extends JobQueue {
  /** Re-enqueues jobs a previous process left queued or running (a restart resumes them), and starts running jobs. */
  resume(): Promise<string[]>;
  /** Resolves when nothing is waiting or running (tests, graceful shutdown). */
  idle(): Promise<void>;
}

/** An in-process FIFO over job ids; the job state itself lives in the JobStore on disk. */
export function createEmbeddedQueue(options: EmbeddedQueueOptions): EmbeddedQueue {
  const log = logger().child({ component: 'embedded-queue' });
  const waiting: string[] = [];
  const queuedIds = new Set<string>();
  const abort = new AbortController();
  const concurrency = options.concurrency ?? 1;
  let running = 0;
  let closed = false;
  let started = options.autoStart ?? true;
  let idleWaiters: Array<() => void> = [];

  function pump(): void {
    while (started && !closed && running < concurrency && waiting.length > 0) {
      const id = waiting.shift() as string;
      running++;
      options
        .runJob(id, abort.signal)
        .catch((err: unknown) => log.error({ jobId: id, err: err instanceof Error ? err.message : String(err) }, 'job crashed'))
        .finally(() => {
          running--;
          queuedIds.delete(id);
          pump();
        });
    }
    if (running === 0 && waiting.length === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  function add(id: string): void {
    if (queuedIds.has(id)) return;
    queuedIds.add(id);
    waiting.push(id);
  }

  return {
    kind: 'embedded',
    async enqueue(jobId) {
      if (closed) throw new MedsrError('overloaded', 'queue.closed', 'the server is shutting down');
      if (waiting.length >= options.maxQueued) {
        throw new MedsrError('overloaded', 'queue.full', `job queue is full (${options.maxQueued} waiting)`, { retryAfterSeconds: 30 });
      }
      add(jobId);
      pump();
    },
    async depth() {
      return waiting.length + running;
    },
    async resume() {
      const jobs = await options.store.list();
      const unfinished = jobs.filter((j) => j.state === 'queued' || j.state === 'running').map((j) => j.id);
      for (const id of unfinished) add(id);
      if (unfinished.length > 0) log.info({ jobs: unfinished.length }, 'resuming unfinished jobs');
      started = true;
      pump();
      return unfinished;
    },
    idle() {
      if (running === 0 && (waiting.length === 0 || !started)) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      waiting.length = 0;
      abort.abort();
      if (running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
