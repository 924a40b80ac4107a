import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogLevel } from '../../shared/config';
import { MedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { Tensor } from '../../shared/tensor';
import type { Manifest } from '../manifest';
import type { PoolEvents, SuperResolver, SuperResolverOptions, UpscaleOptions, UpscaleResult } from '../types';
import { logFallback } from '../runtime/onnx-session';
import { fromWire, type FromWorker, type InitData, type ToWorker, type WorkerData } from './protocol';
import { workerArgs, workerEntry } from './worker-entry';

/**
 * How long a running job may take to notice its cancel (it checks between denoising steps) before
 * its worker is terminated and replaced: one step of the largest model stays well under this.
 */
export const CANCEL_GRACE_MS = 30_000;

interface Job {
  id: number;
  input: Tensor;
  options: UpscaleOptions;
  resolve: (r: UpscaleResult) => void;
  reject: (e: Error) => void;
  /** Set once cancelled: the caller has its answer; the worker may still be finishing a step. */
  cancelled?: boolean;
  detach?: () => void;
}

interface Slot {
  worker: Worker;
  cancel: Int32Array;
  job: Job | undefined;
}

interface StartedWorker {
  worker: Worker;
  cancel: Int32Array;
  provider: string;
  fallbacks: readonly string[];
  manifest: Manifest;
  entry: string;
}

function cancelledError(where: 'queued' | 'running'): MedsrError {
  return new MedsrError('cancelled', 'upscale.cancelled', `the upscale was cancelled while ${where}`);
}

function startWorker(init: InitData): Promise<StartedWorker> {
  return new Promise((resolve, reject) => {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const { script, eval: isEval } = workerArgs(workerEntry());
    const worker = new Worker(script, { eval: isEval, workerData: { ...init, cancel } satisfies WorkerData });
    const onMessage = (msg: FromWorker): void => {
      if (msg.type === 'ready') {
        cleanup();
        resolve({ worker, cancel, provider: msg.provider, fallbacks: msg.fallbacks, manifest: msg.manifest, entry: msg.entry });
      } else if (msg.type === 'init-error') {
        cleanup();
        void worker.terminate();
        reject(fromWire(msg.error));
      }
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(new MedsrError('model', 'worker.start', `inference worker failed to start: ${err.message}`, {}, { cause: err }));
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new MedsrError('model', 'worker.start', `inference worker exited (${code}) before it was ready`));
    };
    const cleanup = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

/**
 * A pool of inference workers, each with its own sessions; jobs queue and go to the first idle
 * worker. An aborted job leaves the queue, or stops its worker at the next denoising step (the
 * worker is terminated and replaced when it does not within CANCEL_GRACE_MS).
 */
export async function createSuperResolver(options: SuperResolverOptions): Promise<SuperResolver> {
  const count = options.workers ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new MedsrError('invalid_input', 'pool.workers', `workers must be a positive integer, got ${count}`);
  // several workers each using every core would fight over them: share the cores out by default
  const threads = options.intraOpThreads || (count > 1 ? Math.max(1, Math.floor(os.availableParallelism() / count)) : 0);
  const init: InitData = { modelDir: path.resolve(options.modelDir), device: options.device, logLevel: logger().level as LogLevel, ...(threads ? { intraOpThreads: threads } : {}) };
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(init)));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value.worker.terminate() : undefined)));
    throw failed.reason;
  }
  const ready = started.map((s) => (s as PromiseFulfilledResult<StartedWorker>).value);
  const { provider, fallbacks, manifest, entry } = ready[0]!;
  logFallback(provider, fallbacks); // once for the pool, not once per worker
  const events = new EventEmitter<PoolEvents>();
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let disposed = false;

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue;
      const job = queue.shift()!;
      slot.job = job;
      Atomics.store(slot.cancel, 0, 0);
      const { onProgress: _progress, signal: _signal, ...wireOptions } = job.options;
      // copy the input so the caller's tensor stays usable, then transfer the copy
      const data = new Float32Array(job.input.data);
      const msg: ToWorker = { type: 'upscale', id: job.id, input: { data, shape: [...job.input.shape] }, options: wireOptions };
      slot.worker.postMessage(msg, [data.buffer]);
      events.emit('started', { id: job.id });
    }
  };

  /** The job leaves its slot (answered, failed, stopped after a cancel, or its worker gone). */
  const finish = (slot: Slot, job: Job, how: 'answered' | 'terminated'): void => {
    slot.job = undefined;
    job.detach?.();
    if (job.cancelled) events.emit('stopped', { id: job.id, how });
  };

  const cancel = (job: Job): void => {
    if (job.cancelled) return;
    job.cancelled = true;
    job.detach?.();
    const queuedAt = queue.indexOf(job);
    if (queuedAt >= 0) {
      queue.splice(queuedAt, 1);
      job.reject(cancelledError('queued'));
      events.emit('cancelled', { id: job.id, stage: 'queued' });
      return;
    }
    const slot = slots.find((s) => s.job === job);
    if (!slot) return; // already answered
    Atomics.store(slot.cancel, 0, job.id);
    job.reject(cancelledError('running'));
    events.emit('cancelled', { id: job.id, stage: 'running' });
    setTimeout(() => {
      if (slot.job !== job) return;
      logger().warn({ id: job.id, graceMs: CANCEL_GRACE_MS }, 'cancelled inference did not stop at a step; terminating its worker');
      void slot.worker.terminate();
    }, CANCEL_GRACE_MS).unref();
  };

  const attach = (worker: Worker, cancelWord: Int32Array): void => {
    const slot: Slot = { worker, cancel: cancelWord, job: undefined };
    slots.push(slot);
    worker.on('message', (msg: FromWorker) => {
      const job = slot.job;
      if (!job || !('id' in msg) || msg.id !== job.id) return;
      if (msg.type === 'progress') {
        if (!job.cancelled) job.options.onProgress?.(msg.fraction);
        return;
      }
      finish(slot, job, 'answered');
      if (msg.type === 'result') {
        job.resolve({ mean: msg.mean, std: msg.std, dcResidual: msg.dcResidual, timings: msg.timings, settings: msg.settings });
      } else if (msg.type === 'error') {
        job.reject(fromWire(msg.error));
      }
      dispatch();
    });
    worker.on('error', (err) => logger().error({ err }, 'inference worker crashed'));
    worker.on('exit', (code) => {
      slots.splice(slots.indexOf(slot), 1);
      const job = slot.job;
      if (job) {
        finish(slot, job, 'terminated');
        job.reject(new MedsrError('internal', 'worker.crashed', `inference worker exited (${code}) during a job`));
      }
      if (disposed) return;
      // replace an exited worker (crashed, or terminated after a cancel) so the pool keeps its size
      logger().warn({ code }, 'inference worker exited; starting a replacement');
      startWorker(init)
        .then((w) => {
          if (disposed) return void w.worker.terminate();
          attach(w.worker, w.cancel);
          events.emit('replaced', { workers: slots.length });
          dispatch();
        })
        .catch((err: unknown) => {
          logger().error({ err }, 'cannot replace inference worker');
          if (slots.length === 0) for (const j of queue.splice(0)) j.reject(err as Error);
        });
    });
  };
  ready.forEach((r) => attach(r.worker, r.cancel));
  logger().info({ model: manifest.id, provider, workers: count, intraOpThreads: threads || 'runtime default', entry }, 'super-resolver ready');

  return {
    manifest,
    provider,
    workerEntry: entry,
    events,
    state: () => ({ workers: slots.length, running: slots.filter((s) => s.job && !s.job.cancelled).length, stopping: slots.filter((s) => s.job?.cancelled).length, queued: queue.length }),
    upscale(input: Tensor, upscaleOptions: UpscaleOptions): Promise<UpscaleResult> {
      if (disposed) return Promise.reject(new MedsrError('internal', 'pool.disposed', 'the super-resolver has been disposed'));
      const { signal } = upscaleOptions;
      if (signal?.aborted) return Promise.reject(cancelledError('queued'));
      return new Promise((resolve, reject) => {
        const job: Job = { id: nextId++, input, options: upscaleOptions, resolve, reject };
        if (signal) {
          const onAbort = (): void => cancel(job);
          signal.addEventListener('abort', onAbort, { once: true });
          job.detach = () => signal.removeEventListener('abort', onAbort);
        }
        queue.push(job);
        dispatch();
      });
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      for (const job of queue.splice(0)) job.reject(new MedsrError('internal', 'pool.disposed', 'the super-resolver was disposed before this job ran'));
      await Promise.all(
        slots.map(
          (slot) =>
            new Promise<void>((resolve) => {
              slot.worker.once('exit', () => resolve());
              slot.worker.postMessage({ type: 'dispose' } satisfies ToWorker);
              // a worker stuck in a long job is stopped rather than waited for
              setTimeout(() => void slot.worker.terminate(), 10_000).unref();
            }),
        ),
      );
    },
  };
}
