import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { REPO_ROOT, type LogLevel } from '../../shared/config';
import { MedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { Tensor } from '../../shared/tensor';
import type { Manifest } from '../manifest';
import type { SuperResolver, SuperResolverOptions, UpscaleOptions, UpscaleResult } from '../types';
import { logFallback } from '../runtime/onnx-session';
import { fromWire, type FromWorker, type InitData, type ToWorker } from './protocol';

/**
 * The worker script. From dist/ it sits beside this file; under ts-jest (src/*.ts) the compiled
 * copy in dist/ is used, so tests need `npm run build` first (npm test's pretest does it).
 */
export function workerScript(): string {
  const beside = path.join(__dirname, 'inference-worker.js');
  if (fs.existsSync(beside)) return beside;
  const built = path.join(REPO_ROOT, 'dist', 'pipeline', 'worker', 'inference-worker.js');
  if (fs.existsSync(built)) return built;
  throw new MedsrError('internal', 'worker.missing', `inference worker not built (${built}): run \`npm run build\``);
}

interface Job {
  id: number;
  input: Tensor;
  options: UpscaleOptions;
  resolve: (r: UpscaleResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

interface StartedWorker {
  worker: Worker;
  provider: string;
  fallbacks: readonly string[];
  manifest: Manifest;
}

function startWorker(init: InitData): Promise<StartedWorker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript(), { workerData: init });
    const onMessage = (msg: FromWorker): void => {
      if (msg.type === 'ready') {
        cleanup();
        resolve({ worker, provider: msg.provider, fallbacks: msg.fallbacks, manifest: msg.manifest });
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

/** A pool of inference workers, each with its own sessions; jobs queue and go to the first idle worker. */
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
  const { provider, fallbacks, manifest } = ready[0]!;
  logFallback(provider, fallbacks); // once for the pool, not once per worker
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let disposed = false;

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.job || queue.length === 0) continue;
      const job = queue.shift()!;
      slot.job = job;
      const { onProgress: _progress, ...wireOptions } = job.options;
      // copy the input so the caller's tensor stays usable, then transfer the copy
      const data = new Float32Array(job.input.data);
      const msg: ToWorker = { type: 'upscale', id: job.id, input: { data, shape: [...job.input.shape] }, options: wireOptions };
      slot.worker.postMessage(msg, [data.buffer]);
    }
  };

  const attach = (worker: Worker): void => {
    const slot: Slot = { worker, job: undefined };
    slots.push(slot);
    worker.on('message', (msg: FromWorker) => {
      const job = slot.job;
      if (!job || !('id' in msg) || msg.id !== job.id) return;
      if (msg.type === 'progress') {
        job.options.onProgress?.(msg.fraction);
        return;
      }
      slot.job = undefined;
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
      slot.job?.reject(new MedsrError('internal', 'worker.crashed', `inference worker exited (${code}) during a job`));
      if (disposed) return;
      // replace a crashed worker so the pool keeps its size
      logger().warn({ code }, 'inference worker exited; starting a replacement');
      startWorker(init)
        .then(({ worker: w }) => {
          if (disposed) return void w.terminate();
          attach(w);
          dispatch();
        })
        .catch((err: unknown) => {
          logger().error({ err }, 'cannot replace inference worker');
          if (slots.length === 0) for (const j of queue.splice(0)) j.reject(err as Error);
        });
    });
  };
  ready.forEach((r) => attach(r.worker));
  logger().info({ model: manifest.id, provider, workers: count, intraOpThreads: threads || 'runtime default' }, 'super-resolver ready');

  return {
    manifest,
    provider,
    upscale(input: Tensor, upscaleOptions: UpscaleOptions): Promise<UpscaleResult> {
      if (disposed) return Promise.reject(new MedsrError('internal', 'pool.disposed', 'the super-resolver has been disposed'));
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, input, options: upscaleOptions, resolve, reject });
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
