import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { FINAL_STATES } from '../../../src/service/jobs/job-model';
import { createJobService, type JobView } from '../../../src/service/jobs/job-service';
import { createJobStore } from '../../../src/service/jobs/job-store';
import { createRedisQueue } from '../../../src/service/jobs/redis-queue';
import { createDirectoryStorage } from '../../../src/service/storage';
import { createStudyCatalog } from '../../../src/service/study-catalog';
import { readDicomBytes, readInputs } from '../../../src/ingest';
import { type RedisHandle, startRedis } from '../helpers/redis-server';
import { mrSeriesCopy, tempDir } from '../helpers/service-fixture';

jest.setTimeout(90_000);

const REGISTER = path.join(__dirname, '../helpers/ts-register.js');
const CHILD = path.join(__dirname, '../helpers/redis-worker-child.ts');

/** A worker process whose slices take `sliceMs` each (the replicating processor's delay). */
function spawnWorker(redisUrl: string, dataDir: string, queueName: string, trace: string, sliceMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', REGISTER, CHILD, redisUrl, dataDir, queueName], {
    env: { ...process.env, MEDSR_TEST_TRACE: trace, MEDSR_LOG_LEVEL: 'warn', MEDSR_TEST_SLICE_MS: String(sliceMs) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('BullMQ queue on a real redis-server with real worker processes', () => {
  let redis: RedisHandle;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await redis.stop();
  });

  it('two workers drain one queue; a job of a SIGKILLed worker is finished by the other, nothing lost or duplicated', async () => {
    const dataDir = tempDir();
    const trace = path.join(tempDir(), 'trace.log');
    fs.writeFileSync(trace, '');
    const storage = createDirectoryStorage(dataDir);
    const store = createJobStore(storage);
    const catalog = createStudyCatalog({ storage, readInputs: (paths) => readInputs(paths), readDicomBytes });
    const queue = createRedisQueue({ redisUrl: redis.url, maxQueued: 100, queueName: 'kill-test' });
    const jobs = createJobService({ store, storage, catalog, queue, events: new EventEmitter() });
    const { studies } = await catalog.ingest([mrSeriesCopy()]);
    const study = studies[0]!.studyInstanceUID;

    const created: JobView[] = [];
    for (let i = 0; i < 4; i++) created.push(await jobs.create({ studyInstanceUID: study, options: { scale: 2 } }));
    expect(await queue.depth()).toBe(4);

    // the victim's slices are slow, so that it is still inside its job when the test, however loaded the machine, sees
    // its second slice start and kills it (with fast slices it could finish the job first and leave nothing to resume)
    const victim = await spawnWorker(redis.url, dataDir, 'kill-test', trace, 1500);
    const survivor = await spawnWorker(redis.url, dataDir, 'kill-test', trace, 150);
    children.push(victim, survivor);

    // kill the victim once it is inside a job (has started at least two slices of it)
    const linesOf = (pid: number | undefined): string[][] => fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')).filter((p) => Number(p[0]) === pid);
    await until(() => linesOf(victim.pid).length >= 2, 30_000);
    victim.kill('SIGKILL');
    const victimSeries = linesOf(victim.pid).at(-1)![1];
    const victimJob = created.find((j) => j.outputs[0]!.seriesInstanceUID === victimSeries)!;

    await until(async () => (await Promise.all(created.map((j) => jobs.get(j.id)))).every((j) => FINAL_STATES.has(j.state)), 60_000);

    for (const j of created) {
      const job = await jobs.get(j.id);
      expect(job.state).toBe('succeeded');
      const [sr] = await jobs.results(j.id);
      expect(new Set(sr!.instances.map((i) => i.sopInstanceUID)).size).toBe(7);
      expect(new Set(sr!.instances.map((i) => i.sourceSopInstanceUID)).size).toBe(7);
      const files = fs.readdirSync(path.join(dataDir, 'results', j.id), { recursive: true }) as string[];
      expect(files.filter((f) => f.endsWith('.dcm'))).toHaveLength(7);
    }
    const resumed = await jobs.get(victimJob.id);
    expect(resumed.attempts).toBeGreaterThanOrEqual(2);
    // the survivor finished what the victim had started
    expect(linesOf(survivor.pid).some((p) => p[1] === victimSeries)).toBe(true);
    expect(await queue.depth()).toBe(0);
    await queue.close();
  });
});
