/**
 * A `medsr worker` stand-in run as a real child process by the redis tests: the real BullMQ
 * worker and job runner over the shared data dir, with the replicating processor. Each slice it
 * starts is appended to MEDSR_TEST_TRACE so the test can see who did what.
 * argv: redisUrl dataDir
 */
import fs from 'node:fs';
import { createJobRunner } from '../../../src/service/jobs/job-runner';
import { createJobStore } from '../../../src/service/jobs/job-store';
import { startRedisWorker } from '../../../src/service/jobs/redis-queue';
import { createDirectoryStorage } from '../../../src/service/storage';
import { createStudyCatalog } from '../../../src/service/study-catalog';
import { createReplicatingProcessor, readDicomBytes, readInputs } from './mini-ingest';

const [redisUrl, dataDir, queueName] = process.argv.slice(2) as [string, string, string];
const trace = process.env.MEDSR_TEST_TRACE as string;
const storage = createDirectoryStorage(dataDir);
const store = createJobStore(storage);
const catalog = createStudyCatalog({ storage, readInputs, readDicomBytes });
const replicate = createReplicatingProcessor({ delayMs: Number(process.env.MEDSR_TEST_SLICE_MS ?? 200) });
const runJob = createJobRunner({
  store,
  storage,
  catalog,
  processor: async (instance, request) => {
    fs.appendFileSync(trace, `${process.pid} ${request.target?.seriesInstanceUID ?? ''} ${instance.sopInstanceUID}\n`);
    return replicate(instance, request);
  },
});
const worker = startRedisWorker({ redisUrl, runJob, queueName, lockDurationMs: 2000, stalledIntervalMs: 1000 });
process.on('SIGTERM', () => void worker.close().then(() => process.exit(0)));
process.stdout.write('ready\n');
