import path from 'node:path';
import type { Command } from 'commander';
import { startRedisWorker } from '../service/jobs/redis-queue';
import { createComposition } from '../service/composition';
import { getConfig } from '../shared/config';
import { MedsrError } from '../shared/errors';
import { logger } from '../shared/logger';
import { deviceFlag, intOption, type DeviceName } from './options';

interface WorkerFlags {
  dataDir?: string;
  model?: string;
  device?: DeviceName;
  workers?: number;
  concurrency?: number;
  redisUrl?: string;
}

/** `medsr worker`: runs jobs from the Redis queue; any number of them may share one data dir. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run upscale jobs from the Redis queue (REDIS_URL); start as many as you like on a shared data dir')
    .option('--redis-url <url>', 'Redis to take jobs from (REDIS_URL)')
    .option('--data-dir <dir>', 'the storage directory shared with the API (MEDSR_DATA_DIR)')
    .option('--model <dir>', 'model directory (MEDSR_MODEL_DIR)')
    .addOption(deviceFlag())
    .option('--workers <n>', 'inference worker threads (MEDSR_INFERENCE_WORKERS)', intOption(1, 64))
    .option('--concurrency <n>', 'jobs run at once by this process', intOption(1, 64), 1)
    .action(async (flags: WorkerFlags) => {
      await work(flags);
    });
}

async function work(flags: WorkerFlags): Promise<void> {
  const config = getConfig();
  const log = logger().child({ component: 'worker' });
  const redisUrl = flags.redisUrl ?? config.redisUrl;
  if (!redisUrl) throw new MedsrError('invalid_input', 'worker.no_redis', 'medsr worker needs Redis: set REDIS_URL or pass --redis-url');
  const root = createComposition({
    modelDir: path.resolve(flags.model ?? config.modelDir),
    device: flags.device ?? config.device,
    workers: flags.workers ?? config.inferenceWorkers,
    intraOpThreads: config.intraOpThreads,
  });
  await root.runtime.ready; // a worker without a model must not take jobs
  const services = root.createServices({
    dataDir: path.resolve(flags.dataDir ?? config.dataDir),
    redisUrl,
    maxQueue: config.maxQueue,
    sliceConcurrency: flags.workers ?? config.inferenceWorkers,
  });
  const worker = startRedisWorker({ redisUrl, runJob: services.runJob, concurrency: flags.concurrency ?? 1 });
  log.info({ dataDir: services.storage.describe(), concurrency: flags.concurrency ?? 1 }, 'worker taking jobs');
  // one shutdown path (service/composition.ts): the Redis worker, then the services and the runtime
  root.onShutdown(() => worker.close());
  root.exitOnSignals(log, 'worker stopping: its job goes back to the queue');
}
