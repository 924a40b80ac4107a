import type { AppliedSettings } from '../types';
import type { LogLevel } from '../../shared/config';
import { MedsrError, type ErrorKind } from '../../shared/errors';
import type { Manifest } from '../manifest';
import type { Device } from '../runtime/onnx-session';
import type { UpscaleOptions } from '../types';

/** Messages between the pool (main thread) and an inference worker. */
export interface InitData {
  modelDir: string;
  device: Device;
  intraOpThreads?: number;
  /** The pool's log level: a worker thread logs like the process that started it. */
  logLevel: LogLevel;
}

/**
 * What each worker gets: the init data plus its own cancel word. The pool stores the id of the
 * job to stop there; the worker reads it between denoising steps. Shared memory rather than a
 * message, because a worker busy in its job does not read messages until the job ends.
 */
export interface WorkerData extends InitData {
  cancel: Int32Array;
}

export interface WireTensor {
  data: Float32Array;
  shape: number[];
}

export type ToWorker =
  | { type: 'upscale'; id: number; input: WireTensor; options: Omit<UpscaleOptions, 'onProgress' | 'signal'> }
  | { type: 'dispose' };

export interface WireError {
  name: string;
  kind?: ErrorKind;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

export type FromWorker =
  /** `entry`: the worker's own file, so a test can tell the TypeScript source from a build. */
  | { type: 'ready'; provider: string; fallbacks: readonly string[]; manifest: Manifest; entry: string }
  | { type: 'init-error'; error: WireError }
  | { type: 'progress'; id: number; fraction: number }
  | { type: 'result'; id: number; mean: WireTensor; std: WireTensor | undefined; dcResidual: number; timings: Record<string, number>; settings: AppliedSettings }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'disposed' };

export function toWire(err: unknown): WireError {
  if (err instanceof MedsrError) return { name: err.name, kind: err.kind, code: err.code, message: err.message, details: err.details };
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

/** MedsrErrors keep their kind and code across the thread boundary; anything else becomes 'internal'. */
export function fromWire(e: WireError): MedsrError {
  return new MedsrError(e.kind ?? 'internal', e.code ?? 'internal', e.message, e.details ?? {});
}
