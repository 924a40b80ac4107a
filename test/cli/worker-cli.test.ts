import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { readDicomBytes, readInputs } from '../../src/ingest';
import { FINAL_STATES } from '../../src/service/jobs/job-model';
import { createServices, type Services } from '../../src/service/services';
import { testModelDir } from '../service/helpers/real-runtime';
import { type RedisHandle, startRedis } from '../service/helpers/redis-server';
import { MR_SERIES_DIR } from '../service/helpers/replicating-processor';
import { tempDir } from '../service/helpers/service-fixture';
import { ensureBuilt } from './helpers/run-medsr';

jest.setTimeout(240_000);
// bin/medsr.js runs the compiled CLI: rebuilt first when any source is newer than dist/
beforeAll(ensureBuilt);

const BIN = path.resolve(__dirname, '../../bin/medsr.js');

/** The built `medsr worker` on a real redis-server, with the real model, taking a job the API enqueued. */
describe('medsr worker', () => {
  let redis: RedisHandle;
  let worker: ChildProcess | undefined;
  let api: Services | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker!.once('exit', r));
    }
    await api?.close();
    await redis.stop();
  });

  it('runs a job from the queue on the shared data dir and exits 0 on SIGTERM', async () => {
    const dataDir = tempDir();
    api = createServices({
      dataDir,
      readInputs: (paths) => readInputs(paths),
      readDicomBytes,
      processor: async () => {
        throw new Error('the API process must not run jobs in Redis mode');
      },
      redisUrl: redis.url,
      maxQueue: 10,
    });
    const { studies } = await api.catalog.ingest([MR_SERIES_DIR]);
    const job = await api.jobs.create({ studyInstanceUID: studies[0]!.studyInstanceUID, options: { scale: 2, steps: 1, seed: 4 } });
    expect(api.queue.kind).toBe('redis');

    worker = spawn(process.execPath, [BIN, 'worker', '--data-dir', dataDir, '--model', testModelDir(), '--device', 'cpu'], {
      env: { ...process.env, REDIS_URL: redis.url, MEDSR_LOG_LEVEL: 'warn', MEDSR_INTRA_OP_THREADS: '2' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    let state = job.state;
    for (let i = 0; i < 600 && !FINAL_STATES.has(state); i++) {
      await new Promise((r) => setTimeout(r, 200));
      state = (await api.jobs.get(job.id)).state;
    }
    const done = await api.jobs.get(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.progress.done).toBe(7);
    expect(await api.queue.depth()).toBe(0);

    worker.kill('SIGTERM');
    expect(await new Promise((r) => worker!.once('exit', r))).toBe(0);
  });

  it('refuses to start without Redis', async () => {
    const { REDIS_URL: _unset, ...env } = process.env;
    const run = spawn(process.execPath, [BIN, 'worker', '--data-dir', tempDir()], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    run.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => run.once('exit', r));
    expect(code).toBe(65);
    expect(err).toContain('worker.no_redis');
  });
});
