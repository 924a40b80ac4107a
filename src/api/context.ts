import type { EventEmitter } from 'node:events';
import type { JobQueue } from '../service/jobs/job-queue';
import type { Runtime } from '../service/runtime';
import type { Services } from '../service/services';
import type { JobService } from '../service/jobs/job-service';
import type { DecodeFrame, ModelStatus, ReadDicomBytes, TranscodeToNative } from '../service/ports';
import { createSliceUpscaler, type UpscaleSlice } from '../service/upscale-slice';
import type { InstanceIndex } from '../service/instance-index';
import type { Storage } from '../service/storage';
import type { StudyLifecycle } from '../service/study-lifecycle';
import type { StudyCatalog } from '../service/study-catalog';
import type { MedsrConfig } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { RequestHandler } from 'express';
import type { ZodType } from 'zod';
import { fromZod } from './error-handler';
import type { Admission } from './admission';
import type { ApiMetrics } from './metrics';
import { MedsrError } from '../shared/errors';
import { optionConflict, type UpscaleRequestOptions } from '../shared/upscale-options';
import { NoQuery, type Defined } from './schemas';

/**
 * What the routes may use: services built elsewhere, handed in (fakes or real ones), each
 * narrowed to the members the routes call, so a fake needs no more than that.
 */
export interface ApiDeps {
  config: Pick<MedsrConfig, 'apiKey' | 'corsOrigin' | 'allowedHosts' | 'sessionHours' | 'maxUploadBytes' | 'maxUploadFiles' | 'maxQueue'>;
  catalog: Pick<StudyCatalog, 'listStudies' | 'getStudy' | 'getSeries' | 'ingest' | 'instanceBytes'>;
  jobs: Pick<JobService, 'create' | 'get' | 'list' | 'cancel' | 'watch' | 'results' | 'resultFiles' | 'resultKey'>;
  queue: Pick<JobQueue, 'depth' | 'kind'>;
  /** Result files, streamed into zips. */
  storage: Pick<Storage, 'get' | 'stream'>;
  /** Originals and derived instances, for DICOMweb. */
  index: Pick<InstanceIndex, 'bytes' | 'metadata' | 'require' | 'list'>;
  /** STOW-RS storing, study deletion, disk usage. */
  lifecycle: Pick<StudyLifecycle, 'receive' | 'deleteStudy' | 'diskUsage'>;
  /** POST /api/v1/upscale's use case (service/upscale-slice.ts around the model's or a test's processor). */
  upscaleSlice: UpscaleSlice;
  readDicomBytes: ReadDicomBytes;
  decodeFrame: DecodeFrame;
  transcodeToNative: TranscodeToNative;
  modelStatus: () => ModelStatus;
  /** Synchronous upscales run at once (the inference pool size). */
  syncConcurrency: number;
  /** Built viewer bundle to serve at /, when present. */
  viewerDir?: string;
  events?: EventEmitter;
  log?: Logger;
  /** The clock for session expiry (tests pin it); Date.now when absent. */
  now?: () => number;
}

/** The routes' dependencies as `medsr serve` composes them: the model runtime and the services. */
export function apiDepsOf(runtime: Runtime, services: Services, rest: Pick<ApiDeps, 'config' | 'syncConcurrency' | 'viewerDir'>): ApiDeps {
  return {
    ...rest,
    catalog: services.catalog,
    jobs: services.jobs,
    queue: services.queue,
    storage: services.storage,
    index: services.index,
    lifecycle: services.lifecycle,
    events: services.events,
    upscaleSlice: createSliceUpscaler(runtime.processor),
    readDicomBytes: runtime.readDicomBytes,
    decodeFrame: runtime.decodeFrame,
    transcodeToNative: runtime.transcodeToNative,
    modelStatus: runtime.modelStatus,
  };
}

export interface ApiContext extends ApiDeps {
  log: Logger;
  metrics: ApiMetrics;
  admission: Admission;
}

/** Parses with zod; failures become one 400 naming each field (`query.scale: ...`). */
export function parse<T>(schema: ZodType<T>, value: unknown, where: 'query' | 'params' | 'body'): T {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, where);
  return result.data;
}

/** Parsed upscale options from `where` (query, body.options), refused when two of them contradict each other. */
export function consistentOptions<T extends UpscaleRequestOptions>(options: T, where: string): T {
  const conflict = optionConflict(options);
  if (conflict) throw new MedsrError('invalid_input', 'request.invalid', `invalid request: ${where}.resampler: ${conflict}`, { issues: [{ field: `${where}.resampler`, message: conflict }] });
  return options;
}

/** Route middleware for routes without query parameters: `?anything` is a 400 naming it (strict like every request schema). */
export const noQuery: RequestHandler = (req, _res, next) => {
  parse(NoQuery, req.query, 'query');
  next();
};


/**
 * zod types an absent optional field as `?: T | undefined` (and keeps a key whose input value was
 * undefined); service/ types leave absent fields out (exactOptionalPropertyTypes). Shallow.
 */
export function definedOnly<T extends object>(value: T): Defined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Defined<T>;
}
