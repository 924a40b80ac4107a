/**
 * The one file that imports onnxruntime-node. It maps a device name to execution providers,
 * falls back (a missing CUDA provider library makes session creation THROW rather than fall back
 * by itself) and says so once (logFallback), fails clearly when CUDA was asked for and cannot
 * load, converts between our Tensor and ORT's, and releases sessions.
 */
import './telemetry-off'; // first: onnxruntime must not start its telemetry (telemetry-off.ts)
import * as ort from 'onnxruntime-node';
import { MedsrError } from '../../shared/errors';
import { logger } from '../../shared/logger';
import type { Tensor } from '../../shared/tensor';
import type { DeviceName } from '../../shared/upscale-options';

/** The one device list is shared/upscale-options' DEVICES. */
export type Device = DeviceName;

export interface RuntimeOptions {
  device: Device;
  /** onnxruntime intra-op threads; 0 or undefined lets the runtime choose. */
  intraOpThreads?: number;
}

/** An int64 input (token ids); everything else crossing the seam is float32. */
export interface Int64Input {
  int64: BigInt64Array;
  shape: readonly number[];
}

export type GraphInput = Tensor | Int64Input;

export interface GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly provider: string;
  /** Why each provider tried before `provider` failed (empty when the first one worked). */
  readonly fallbacks: readonly string[];
  run(feeds: Record<string, GraphInput>): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/** Providers to try in order, per device: auto prefers CUDA and ends on CPU. */
function candidates(device: Device): string[] {
  switch (device) {
    case 'auto':
      return ['cuda', 'cpu'];
    case 'cpu':
      return ['cpu'];
    case 'cuda':
      return ['cuda'];
    case 'webgpu':
      return ['webgpu'];
  }
}

/** Where the README says how to get onnxruntime's CUDA provider (and what it needs). */
export const GPU_DOCS = 'README.md, "Scaling out and GPUs" (README.md#scaling-out-and-gpus)';

/** ORT's native log: its own lines on stderr (e.g. the CUDA library that cannot load) only when we log at debug. */
function ortLogLevel(): 'warning' | 'fatal' {
  return logger().isLevelEnabled('debug') ? 'warning' : 'fatal';
}

export async function openSession(file: string, options: RuntimeOptions): Promise<GraphSession> {
  const failures: string[] = [];
  // Without the CUDA provider, ORT prints the missing-library error itself before throwing; we
  // say it once in our own words instead. ORT reads env.logLevel once, when its environment
  // starts; logSeverityLevel covers the session's own messages.
  const severity = ortLogLevel();
  ort.env.logLevel = severity;
  for (const provider of candidates(options.device)) {
    try {
      const session = await ort.InferenceSession.create(file, {
        executionProviders: [provider],
        graphOptimizationLevel: 'all',
        // ORT's pool threads spin after each run by default, waiting for the next one. A slice alternates between
        // sessions (U-Net, decoder, refiner, ...), so the idle pool of one spun on the cores the next one needed:
        // measured on 2 cores, about 55 ms of CPU per 100 ms after a run, and the bench's MR rows took 40-110 ms less
        // without it.
        extra: { session: { intra_op: { allow_spinning: '0' } } },
        logSeverityLevel: severity === 'fatal' ? 4 : 2,
        ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
      });
      logger().debug({ file, provider, failed: failures }, 'onnxruntime: session created');
      return wrap(session, provider, failures);
    } catch (err) {
      failures.push(`${provider}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (options.device === 'cuda') {
    throw new MedsrError('model', 'runtime.cuda_unavailable',
      `--device cuda: onnxruntime's CUDA provider cannot be loaded (${failures.join('; ')}). It needs an NVIDIA GPU with CUDA 12 and ` +
      `cuDNN 9 and the provider libraries that onnxruntime-node's install script fetches (npm ci here skips it, see .npmrc): run ` +
      `\`cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js\` or use the Docker gpu target; ` +
      `see ${GPU_DOCS}. Or run with --device auto (CUDA when it loads, else CPU) or --device cpu.`, { file, failures });
  }
  throw new MedsrError('model', 'runtime.session', `cannot open ${file} on device '${options.device}': ${failures.join('; ')}`, { file, failures });
}

/** One info line when device auto fell back (CUDA could not load, another provider runs); the caller that loaded the model calls it once. */
export function logFallback(provider: string, fallbacks: readonly string[]): void {
  if (fallbacks.length === 0) return;
  const tried = fallbacks.map((f) => f.split(':')[0]).join(', ');
  logger().info({ provider, failed: fallbacks }, `onnxruntime: ${tried} not available, running on ${provider}`);
}

function toOrt(input: GraphInput): ort.Tensor {
  if ('int64' in input) return new ort.Tensor('int64', input.int64, [...input.shape]);
  // arrays made in another realm (jest's sandbox, a worker's transfer) fail ORT's instanceof check
  const data = input.data instanceof Float32Array ? input.data : new Float32Array(input.data);
  return new ort.Tensor('float32', data, [...input.shape]);
}

function wrap(session: ort.InferenceSession, provider: string, fallbacks: string[]): GraphSession {
  return {
    fallbacks,
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    provider,
    async run(feeds) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrt(value);
      const results = await session.run(ortFeeds);
      const out: Record<string, Tensor> = {};
      for (const [name, value] of Object.entries(results)) {
        if (value.type !== 'float32') throw new MedsrError('model', 'runtime.output_type', `output '${name}' is ${value.type}, expected float32`);
        // copy out of ORT's buffer so the tensor owns a transferable ArrayBuffer
        out[name] = { data: new Float32Array(value.data as Float32Array), shape: [...value.dims] };
        value.dispose();
      }
      return out;
    },
    release: () => session.release(),
  };
}
