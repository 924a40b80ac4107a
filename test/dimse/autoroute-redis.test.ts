/**
 * Auto-routing in Redis mode: the server (DIMSE SCP, auto-router) queues on BullMQ, a separate
 * worker process (real BullMQ worker, replicating processor) runs the job, and the server sends
 * the derived series on to dcmtk's storescp once it sees the job finish in the shared storage.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startDimseServer, type DimseServer } from '../../src/dimse/dimse-server';
import { createStoreScu } from '../../src/dimse/store-scu';
import { readDicomBytes, readInputs } from '../../src/ingest';
import { DEFAULT_QUEUE_NAME } from '../../src/service/jobs/redis-queue';
import { createServices, type Services } from '../../src/service/services';
import { createReplicatingProcessor, MR_SERIES_DIR } from '../service/helpers/replicating-processor';
import { type RedisHandle, startRedis } from '../service/helpers/redis-server';
import { tempDir } from '../service/helpers/service-fixture';
import { dcmtk, startStoreScp, type StoreScp, until } from './helpers/dcmtk';

jest.setTimeout(90_000);

const REGISTER = path.join(__dirname, '../service/helpers/ts-register.js');
const CHILD = path.join(__dirname, '../service/helpers/redis-worker-child.ts');
const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));

describe('auto-routing with REDIS_URL and a separate worker process', () => {
  let redis: RedisHandle;
  let worker: ChildProcess;
  let pacs: StoreScp;
  let services: Services;
  let dimse: DimseServer;
  const dataDir = tempDir();
  const trace = path.join(tempDir(), 'trace.txt');

  beforeAll(async () => {
    redis = await startRedis();
    worker = spawn(process.execPath, ['-r', REGISTER, CHILD, redis.url, dataDir, DEFAULT_QUEUE_NAME], {
      env: { ...process.env, MEDSR_TEST_TRACE: trace, MEDSR_LOG_LEVEL: 'warn', MEDSR_TEST_SLICE_MS: '20' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      worker.stdout?.once('data', () => resolve());
      worker.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
    });
    pacs = await startStoreScp('PACS', tempDir('medsr-pacs-'));
    services = createServices({
      dataDir,
      readInputs: (p) => readInputs(p),
      readDicomBytes,
      processor: createReplicatingProcessor(),
      redisUrl: redis.url,
      maxQueue: 8,
      autoroute: { destination: { aeTitle: 'PACS', host: '127.0.0.1', port: pacs.port }, scale: 2, idleMs: 1000, attempts: 3, backoffMs: 100, send: createStoreScu('MEDSR', 5000) },
    });
    await services.start();
    dimse = await startDimseServer({ port: 0, aeTitle: 'MEDSR', lifecycle: services.lifecycle, index: services.index });
  });
  afterAll(async () => {
    await dimse?.close();
    await services?.close();
    if (worker && worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
    await pacs?.close();
    await redis?.stop();
  });

  it('sends the derived series that a worker process made', async () => {
    expect((await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(dimse.port), ...seriesFiles])).status).toBe(0);
    const job = await until(async () => (await services.store.list()).find((j) => j.route?.state === 'sent' || j.route?.state === 'failed'), 60_000, 'the routed job');
    expect(job.route).toMatchObject({ state: 'sent', sentInstances: seriesFiles.length });
    expect(pacs.files()).toHaveLength(seriesFiles.length);
    // every slice was made in the worker process, not in this one
    const lines = fs.readFileSync(trace, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(seriesFiles.length);
    expect(new Set(lines.map((l) => l.split(' ')[0]))).toEqual(new Set([String(worker.pid)]));
  });
});
