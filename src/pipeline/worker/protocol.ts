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

export interface WireTensor {
  data: Float32Array;
  shape: number[];
}

export type ToWorker =
  | { type: 'upscale'; id: number; input: WireTensor; options: Omit<UpscaleOptions, 'onProgress'> }
  | { type: 'dispose' };

export interface WireError {
  name: string;
  kind?: ErrorKind;
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

export type FromWorker =
  | { type: 'ready'; provider: string; fallbacks: readonly string[]; manifest: Manifest }
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
