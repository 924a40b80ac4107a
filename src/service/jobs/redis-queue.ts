import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { MedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { JobQueue } from './job-queue';
import type { JobRunner } from './job-runner';

export const DEFAULT_QUEUE_NAME = 'medsr-jobs';

export interface RedisQueueOptions {
  redisUrl: string;
  queueName?: string;
  /** Waiting jobs beyond this are refused (503 + Retry-After). */
  maxQueued: number;
}

export interface RedisWorkerOptions {
  redisUrl: string;
  runJob: JobRunner;
  queueName?: string;
  concurrency?: number;
  /**
   * How long a worker's claim on a job lasts without renewal. A worker that dies (SIGKILL, lost
   * machine) stops renewing, and after this the job is handed to another worker, which resumes it.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RedisWorker {
  close(): Promise<void>;
}

interface MedsrJobData {
  jobId: string;
}

function connection(redisUrl: string): IORedis {
  // BullMQ requires maxRetriesPerRequest null on connections that block (workers)
  return new IORedis(redisUrl, { maxRetriesPerRequest: null });
}

/** The producer side (the API): puts job ids on a BullMQ queue; job state stays in storage. */
export function createRedisQueue(options: RedisQueueOptions): JobQueue {
  const conn = connection(options.redisUrl);
  const queue = new Queue<MedsrJobData>(options.queueName ?? DEFAULT_QUEUE_NAME, { connection: conn });
  return {
    kind: 'redis',
    async enqueue(jobId) {
      const waiting = await queue.getWaitingCount();
      if (waiting >= options.maxQueued) {
        throw new MedsrError('overloaded', 'queue.full', `job queue is full (${waiting} waiting)`, { retryAfterSeconds: 30 });
      }
      // our id as BullMQ's id: adding the same job twice is a no-op, never a duplicate run
      await queue.add('upscale', { jobId }, { jobId, attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 1000, removeOnFail: 1000 });
    },
    async depth() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).reduce((a, b) => a + b, 0);
    },
    async close() {
      await queue.close();
      await conn.quit().catch(() => undefined);
    },
  };
}

/** The consumer side (`medsr worker`): runs jobs from the queue with the shared storage. */
export function startRedisWorker(options: RedisWorkerOptions): RedisWorker {
  const log = logger().child({ component: 'redis-worker' });
  const conn = connection(options.redisUrl);
  const abort = new AbortController();
  const worker = new Worker<MedsrJobData>(
    options.queueName ?? DEFAULT_QUEUE_NAME,
    async (bullJob) => {
      const job = await options.runJob(bullJob.data.jobId, abort.signal);
      // interrupted by shutdown: fail this attempt so BullMQ hands the job to a worker again
      if (job.state === 'queued') throw new Error('interrupted by worker shutdown');
      return { state: job.state };
    },
    {
      connection: conn,
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? 60_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // a job that stalls this often (its worker keeps dying) is failed rather than retried forever
      maxStalledCount: 3,
    },
  );
  worker.on('failed', (job, err) => log.warn({ jobId: job?.data.jobId, err: err.message }, 'job attempt failed'));
  worker.on('error', (err) => log.error({ err: err.message }, 'worker error'));
  return {
    async close() {
      abort.abort();
      await worker.close();
      await conn.quit().catch(() => undefined);
    },
  };
}
