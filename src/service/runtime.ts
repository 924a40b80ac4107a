/**
 * The model half of the composition root (composition.ts): ingest's readers and the pipeline's
 * worker pool, joined by upscaleInstance into the SliceProcessor the rest of service/ uses.
 */
import { decodeFrame, readDicomBytes, readInputs, transcodeToNative } from '../ingest';
import type { ReadLimits } from '../ingest/types';
import { EventEmitter } from 'node:events';
import { createSuperResolver, type PoolEvents, type PoolState, type SuperResolver } from '../pipeline';
import { MedsrError, toMedsrError } from '../shared/errors';
import { logger } from '../shared/logger';
import type { DeviceName } from '../shared/upscale-options';
import type { DecodeFrame, ModelStatus, ReadDicomBytes, ReadInputs, SliceProcessor, TranscodeToNative } from './ports';
import { upscaleInstance } from './upscale-instance';

export interface RuntimeOptions {
  modelDir: string;
  device: DeviceName;
  workers: number;
  intraOpThreads: number;
  /** Limits for readInputs (the server passes its per-upload archive limits). */
  readLimits?: Partial<ReadLimits>;
}

export interface Runtime {
  readInputs: ReadInputs;
  readDicomBytes: ReadDicomBytes;
  decodeFrame: DecodeFrame;
  transcodeToNative: TranscodeToNative;
  processor: SliceProcessor;
  modelStatus(): ModelStatus;
  /** The inference pool's events (started, cancelled, stopped, replaced) and state, once loaded. */
  pool: { events: EventEmitter<PoolEvents>; state(): PoolState | undefined };
  /** Resolves once the model is loaded (rejects when it cannot be). */
  ready: Promise<void>;
  dispose(): Promise<void>;
}

function softwareVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return `medsr ${(require('../../package.json') as { version: string }).version}`;
}

/**
 * Starts loading the model in the background and returns at once, so a server can answer
 * /healthz while it loads; the processor refuses work (503, retry) until the model is ready.
 */
export function createRuntime(options: RuntimeOptions): Runtime {
  const log = logger().child({ component: 'runtime' });
  let resolver: SuperResolver | undefined;
  let failure: MedsrError | undefined;
  const poolEvents = new EventEmitter<PoolEvents>();
  const ready = createSuperResolver({ modelDir: options.modelDir, device: options.device, workers: options.workers, intraOpThreads: options.intraOpThreads }).then(
    (r) => {
      resolver = r;
      // relayed, because callers subscribe before the pool exists (it loads in the background)
      for (const name of ['started', 'cancelled', 'stopped', 'replaced'] as const) (r.events as EventEmitter).on(name, (e: unknown) => (poolEvents as EventEmitter).emit(name, e));
      log.info({ model: `${r.manifest.id} ${r.manifest.version}`, provider: r.provider, workers: options.workers }, 'model loaded');
    },
    (err: unknown) => {
      failure = toMedsrError(err);
      log.error({ code: failure.code, err: failure.message }, 'model failed to load');
      throw failure;
    },
  );
  ready.catch(() => undefined); // observed through modelStatus() and the processor


  const processor: SliceProcessor = async (instance, request) => {
    if (failure) throw failure;
    if (!resolver) throw new MedsrError('overloaded', 'model.loading', 'the model is still loading', { retryAfterSeconds: 10 });
    return upscaleInstance(instance, request, { resolver, softwareVersion: softwareVersion() });
  };

  return {
    readInputs: (paths) => readInputs(paths, options.readLimits ? { limits: options.readLimits } : undefined),
    readDicomBytes,
    decodeFrame,
    transcodeToNative,
    processor,
    pool: { events: poolEvents, state: () => resolver?.state() },
    modelStatus: () => ({
      ready: resolver !== undefined,
      ...(resolver ? { provider: resolver.provider, model: `${resolver.manifest.id} ${resolver.manifest.version}` } : {}),
      ...(failure ? { model: `failed: ${failure.message}` } : {}),
    }),
    ready,
    async dispose() {
      await ready.catch(() => undefined);
      await resolver?.dispose();
    },
  };
}
