import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { MedsrError } from './errors';
import { DEVICES, SCALES, UPSCALE_LIMITS, type DeviceName, type Scale } from './upscale-options';

/** pino's levels; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Every setting medsr reads from the environment, parsed once. CLI flags override these. */
const ConfigSchema = z.object({
  MEDSR_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  MEDSR_HOST: z.string().default('127.0.0.1'),
  MEDSR_DATA_DIR: z.string().default(path.join(os.homedir(), '.medsr')),
  MEDSR_MODEL_DIR: z.string().optional(),
  MEDSR_DEVICE: z.enum(DEVICES).default('auto'),
  MEDSR_INFERENCE_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  MEDSR_INTRA_OP_THREADS: z.coerce.number().int().min(0).max(256).default(0),
  REDIS_URL: z.string().url().optional(),
  MEDSR_API_KEY: z.string().min(8).optional(),
  MEDSR_CORS_ORIGIN: z.string().optional(),
  /**
   * Host names (comma-separated, without port) the server answers when no API key is set; the
   * default, loopback names only, keeps a browser on this machine from being used against it
   * by DNS rebinding. Set it to the LAN names clients use (or set MEDSR_API_KEY) to serve a LAN.
   */
  MEDSR_ALLOWED_HOSTS: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/, 'a host name or IP address without port'))),
  /** How long a viewer session (the cookie from POST /api/v1/session) lasts. */
  MEDSR_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  MEDSR_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  MEDSR_MAX_UPLOAD_FILES: z.coerce.number().int().positive().default(10_000),
  /** Bytes the zip archives of one upload may inflate to, all together, judged before inflating. */
  MEDSR_MAX_UPLOAD_INFLATED_BYTES: z.coerce.number().int().positive().default(16 * 1024 ** 3),
  /** Entries the zip archives of one upload may hold, all together. */
  MEDSR_MAX_UPLOAD_ENTRIES: z.coerce.number().int().positive().default(200_000),
  MEDSR_MAX_QUEUE: z.coerce.number().int().positive().default(64),
  MEDSR_DIMSE_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  MEDSR_AE_TITLE: z.string().regex(/^[^\\\s]{1,16}$/, 'an AE title: 1 to 16 characters, no spaces or backslash').default('MEDSR'),
  MEDSR_AUTOROUTE: z.string().regex(/^[^@\\\s]{1,16}@[A-Za-z0-9._:[\]-]+:\d{1,5}$/, 'AET@host:port').optional(),
  // auto-routed jobs take the same scales and sample bounds as every other upscale
  MEDSR_AUTOROUTE_SCALE: z.enum(SCALES.map(String) as [string, ...string[]]).default('2').transform((v) => Number(v) as Scale),
  MEDSR_AUTOROUTE_SAMPLES: z.coerce.number().int().min(UPSCALE_LIMITS.samples[0]).max(UPSCALE_LIMITS.samples[1]).optional(),
  MEDSR_SERIES_IDLE_S: z.coerce.number().positive().max(86_400).default(10),
  MEDSR_AUTOROUTE_RETRIES: z.coerce.number().int().min(1).max(100).default(5),
  MEDSR_AUTOROUTE_BACKOFF_S: z.coerce.number().positive().max(3600).default(5),
  MEDSR_RETENTION_DAYS: z.coerce.number().positive().optional(),
  MEDSR_LOG_LEVEL: z.enum(LOG_LEVELS).optional(),
});

export type EnvConfig = z.infer<typeof ConfigSchema>;

export interface MedsrConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Directory of the model (holding model_index.json); the shipped model when unset. */
  modelDir: string;
  device: DeviceName;
  inferenceWorkers: number;
  /** onnxruntime intra-op threads per worker; 0 lets the runtime choose. */
  intraOpThreads: number;
  redisUrl: string | undefined;
  apiKey: string | undefined;
  corsOrigin: string | undefined;
  /** Host names answered without an API key: the loopback names plus MEDSR_ALLOWED_HOSTS. */
  allowedHosts: readonly string[];
  sessionHours: number;
  maxUploadBytes: number;
  maxUploadFiles: number;
  maxUploadInflatedBytes: number;
  maxUploadEntries: number;
  maxQueue: number;
  /** JSON log level; unset: the entry point decides (`serve`/`worker`: info; other commands: silent). */
  logLevel: LogLevel | undefined;
  /** DIMSE SCP port (C-ECHO, C-STORE, C-FIND); off when undefined. */
  dimsePort: number | undefined;
  aeTitle: string;
  /** Auto-routing destination `AET@host:port`; off when undefined. */
  autoroute: string | undefined;
  autorouteScale: Scale;
  /** Samples per auto-routed slice (>1 adds the uncertainty series, sent too); service default when undefined. */
  autorouteSamples: number | undefined;
  seriesIdleSeconds: number;
  autorouteRetries: number;
  autorouteBackoffSeconds: number;
  /** Studies untouched for longer are deleted (originals, jobs, results); kept forever when undefined. */
  retentionDays: number | undefined;
}

/** Names that always mean this machine. */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '[::1]']);

/** The repository root: models/ and fixtures/ are found relative to it. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const DEFAULT_MODEL_DIR = path.join(REPO_ROOT, 'models', 'medsr-ldm-v2');

export function parseConfig(env: NodeJS.ProcessEnv): MedsrConfig {
  // an empty variable is an unset one (compose writes `MEDSR_API_KEY: ${MEDSR_API_KEY:-}` as "")
  const parsed = ConfigSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new MedsrError('invalid_input', 'config.invalid', `invalid configuration: ${issues.join('; ')}`, { issues });
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.MEDSR_PORT,
    host: e.MEDSR_HOST,
    dataDir: path.resolve(e.MEDSR_DATA_DIR),
    modelDir: path.resolve(e.MEDSR_MODEL_DIR ?? DEFAULT_MODEL_DIR),
    device: e.MEDSR_DEVICE,
    inferenceWorkers: e.MEDSR_INFERENCE_WORKERS,
    intraOpThreads: e.MEDSR_INTRA_OP_THREADS,
    redisUrl: e.REDIS_URL,
    apiKey: e.MEDSR_API_KEY,
    corsOrigin: e.MEDSR_CORS_ORIGIN,
    allowedHosts: Object.freeze([...new Set([...LOOPBACK_HOSTS, ...e.MEDSR_ALLOWED_HOSTS])]),
    sessionHours: e.MEDSR_SESSION_HOURS,
    maxUploadBytes: e.MEDSR_MAX_UPLOAD_BYTES,
    maxUploadFiles: e.MEDSR_MAX_UPLOAD_FILES,
    maxUploadInflatedBytes: e.MEDSR_MAX_UPLOAD_INFLATED_BYTES,
    maxUploadEntries: e.MEDSR_MAX_UPLOAD_ENTRIES,
    maxQueue: e.MEDSR_MAX_QUEUE,
    logLevel: e.MEDSR_LOG_LEVEL,
    dimsePort: e.MEDSR_DIMSE_PORT,
    aeTitle: e.MEDSR_AE_TITLE,
    autoroute: e.MEDSR_AUTOROUTE,
    autorouteScale: e.MEDSR_AUTOROUTE_SCALE,
    autorouteSamples: e.MEDSR_AUTOROUTE_SAMPLES,
    seriesIdleSeconds: e.MEDSR_SERIES_IDLE_S,
    autorouteRetries: e.MEDSR_AUTOROUTE_RETRIES,
    autorouteBackoffSeconds: e.MEDSR_AUTOROUTE_BACKOFF_S,
    retentionDays: e.MEDSR_RETENTION_DAYS,
  });
}

let cached: MedsrConfig | undefined;

/** The process-wide configuration, parsed from process.env on first use. */
export function getConfig(): MedsrConfig {
  cached ??= parseConfig(process.env);
  return cached;
}
