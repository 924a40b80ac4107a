import { EventEmitter } from 'node:events';
import { type AutoRouter, type AutoRouteSettings, createAutoRouter } from './autoroute/autorouter';
import type { SendInstances } from './autoroute/destination';
import { createInstanceIndex, type InstanceIndex } from './instance-index';
import { createRetention, type Retention } from './retention';
import { createStudyLifecycle, type StudyLifecycle } from './study-lifecycle';
import { createEmbeddedQueue } from './jobs/embedded-queue';
import type { JobQueue } from './jobs/job-queue';
import { createJobRunner, type JobRunner } from './jobs/job-runner';
import { createJobService, type JobService } from './jobs/job-service';
import { createJobStore, type JobStore } from './jobs/job-store';
import { createRedisQueue } from './jobs/redis-queue';
import type { ReadDicomBytes, ReadInputs, SliceProcessor } from './ports';
import { createDirectoryStorage, type Storage } from './storage';
import { createStudyCatalog, type StudyCatalog } from './study-catalog';

export interface ServicesOptions {
  dataDir: string;
  readInputs: ReadInputs;
  readDicomBytes: ReadDicomBytes;
  /** Runs the jobs (in this process with the embedded queue; in `medsr worker` with Redis). */
  processor: SliceProcessor;
  /** With a URL, jobs go through BullMQ and `medsr worker` processes run them. */
  redisUrl?: string | undefined;
  maxQueue: number;
  /** Slices of a job processed at once (the inference pool's size). */
  sliceConcurrency?: number;
  onSlice?: (outcome: 'done' | 'failed', seconds: number) => void;
  /** Auto-routing (MEDSR_AUTOROUTE): received series become jobs whose results are sent on. */
  autoroute?: AutoRouteSettings & { send: SendInstances };
  /** MEDSR_RETENTION_DAYS: purge studies untouched for longer (hourly, from start()). */
  retentionDays?: number | undefined;
}

export interface Services {
  storage: Storage;
  store: JobStore;
  catalog: StudyCatalog;
  events: EventEmitter;
  runJob: JobRunner;
  queue: JobQueue;
  jobs: JobService;
  /** Originals and derived instances for DICOMweb and C-FIND. */
  index: InstanceIndex;
  /** Receiving instances (DIMSE, STOW-RS) and deleting studies. */
  lifecycle: StudyLifecycle;
  autorouter: AutoRouter | undefined;
  retention: Retention | undefined;
  /** Starts running jobs (embedded: also resumes what a previous process left unfinished); call once the model is ready. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Builds the job engine over one storage directory: the composition shared by serve and worker. */
export function createServices(options: ServicesOptions): Services {
  const storage = createDirectoryStorage(options.dataDir);
  const store = createJobStore(storage);
  const catalog = createStudyCatalog({ storage, readInputs: options.readInputs, readDicomBytes: options.readDicomBytes });
  const events = new EventEmitter();
  events.setMaxListeners(0); // one listener per open SSE stream
  const runJob = createJobRunner({ store, storage, catalog, processor: options.processor, events, sliceConcurrency: options.sliceConcurrency ?? 1, ...(options.onSlice ? { onSlice: options.onSlice } : {}) });
  const embedded = options.redisUrl ? undefined : createEmbeddedQueue({ runJob, store, maxQueued: options.maxQueue, autoStart: false });
  const queue: JobQueue = embedded ?? createRedisQueue({ redisUrl: options.redisUrl as string, maxQueued: options.maxQueue });
  const jobs = createJobService({ store, storage, catalog, queue, events });
  const index = createInstanceIndex({ storage, store });
  const route = options.autoroute;
  const autorouter = route ? createAutoRouter(route, { jobs, store, storage, send: route.send }) : undefined;
  const lifecycle = createStudyLifecycle({
    storage,
    catalog,
    store,
    jobs,
    ...(autorouter ? { onReceiving: () => autorouter.noteReceiving(), onReceived: (s: { studyInstanceUID: string; seriesInstanceUID: string }) => autorouter.noteReceived(s.studyInstanceUID, s.seriesInstanceUID), onDeleted: (study: string) => autorouter.forgetStudy(study) } : {}),
  });
  const retention = options.retentionDays ? createRetention(options.retentionDays, { catalog, store, lifecycle }) : undefined;
  return {
    storage,
    store,
    catalog,
    events,
    runJob,
    queue,
    jobs,
    index,
    lifecycle,
    autorouter,
    retention,
    async start() {
      await embedded?.resume();
      await autorouter?.start();
      retention?.start();
    },
    async close() {
      retention?.stop();
      autorouter?.close();
      await queue.close();
    },
  };
}
