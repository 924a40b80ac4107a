import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { createEmbeddedQueue } from '../../../src/service/jobs/embedded-queue';
import { createJobService } from '../../../src/service/jobs/job-service';
import type { SliceProcessor } from '../../../src/service/ports';
import { createReplicatingProcessor } from '../helpers/replicating-processor';
import { createEngine, mrSeriesCopy, tempDir } from '../helpers/service-fixture';

/** Wraps a processor so its first call waits for release(); `entered` resolves when that call arrives. */
function gatedProcessor(inner: SliceProcessor): { processor: SliceProcessor; entered: Promise<void>; release(): void; calls(): number } {
  let calls = 0;
  let arrive!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((r) => (arrive = r));
  const released = new Promise<void>((r) => (release = r));
  const processor: SliceProcessor = async (instance, request) => {
    calls += 1;
    arrive();
    await released;
    return inner(instance, request);
  };
  return { processor, entered, release, calls: () => calls };
}

function resultFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'results');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.dcm')).map((f) => path.join(root, f));
}

describe('embedded job engine on a real MR series', () => {
  it('upscales every slice, records a per-slice error, and ends partial', async () => {
    const dataDir = tempDir();
    const engine = createEngine(dataDir, createReplicatingProcessor());
    const report = await engine.catalog.ingest([mrSeriesCopy(true)]);
    expect(report.rejected).toEqual([]);
    expect(report.instancesStored).toBe(7);
    const study = report.studies[0]!;

    const created = await engine.jobs.create({ studyInstanceUID: study.studyInstanceUID, options: { scale: 2, samples: 2 } });
    await engine.queue.idle();
    const job = await engine.jobs.get(created.id);

    expect(job.state).toBe('partial');
    expect(job.progress).toMatchObject({ total: 7, done: 6, failed: 1, fraction: 1 });
    const failed = job.slices.filter((s) => s.state === 'failed');
    expect(failed[0]!.error!.code).toBe('pixels.compressed');

    const results = await engine.jobs.results(job.id);
    expect(results.map((r) => r.kind).sort()).toEqual(['super-resolution', 'uncertainty']);
    const sr = results.find((r) => r.kind === 'super-resolution')!;
    expect(sr.instances).toHaveLength(6);
    // each derived instance is 2x the source and references the source slice it came from
    for (const slice of job.slices.filter((s) => s.state === 'done')) {
      const bytes = await engine.storage.get(slice.resultKey!);
      const ds = dicomParser.parseDicom(new Uint8Array(bytes));
      expect(ds.uint16('x00280010')).toBe(32);
      expect(ds.string('x0020000e')).toBe(sr.seriesInstanceUID);
      const ref = ds.elements.x00082112!.items![0]!.dataSet!;
      expect(ref.string('x00081155')).toBe(slice.sopInstanceUID);
      // the results listing pairs it with that same source slice (the viewer relies on it)
      expect(sr.instances).toContainEqual({ sopInstanceUID: ds.string('x00080018'), sourceSopInstanceUID: slice.sopInstanceUID });
    }
    expect(sr.instances.map((i) => i.sourceSopInstanceUID)).not.toContain(failed[0]!.sopInstanceUID);
    await engine.queue.close();
  });

  it('keeps each slice\'s path and account of its degradation, and warns when a series\' slices took different paths', async () => {
    // the replicating processor runs no model: this one reports the path a detector would have taken by slice position
    // (the real pipeline's paths: test/service/upscale-instance.test.ts, test/api/end-to-end.test.ts)
    const replicate = createReplicatingProcessor();
    let call = 0;
    const processor: SliceProcessor = async (instance, request) => {
      const path = call++ < 2 ? 'kspace' : 'bicubic';
      return { ...(await replicate(instance, request)), degradation: `auto->${path} (detector)`, paths: { [path]: 1 } };
    };
    const engine = createEngine(tempDir(), processor);
    const study = (await engine.catalog.ingest([mrSeriesCopy(false)])).studies[0]!;
    const created = await engine.jobs.create({ studyInstanceUID: study.studyInstanceUID, options: { scale: 2 } });
    expect(created.warnings).toBeUndefined();
    await engine.queue.idle();
    const job = await engine.jobs.get(created.id);
    expect(job.state).toBe('succeeded');
    expect(job.slices.map((s) => s.paths)).toEqual([...Array(2).fill({ kspace: 1 }), ...Array(5).fill({ bicubic: 1 })]);
    expect(job.slices.map((s) => s.degradation)).toEqual([...Array(2).fill('auto->kspace (detector)'), ...Array(5).fill('auto->bicubic (detector)')]);
    expect(job.warnings).toEqual([expect.objectContaining({ code: 'series.mixed_paths', seriesInstanceUID: job.slices[0]!.seriesInstanceUID, paths: { bicubic: 5, kspace: 2 } })]);
    await engine.queue.close();
  });

  it('resumes an interrupted job after a restart without redoing finished slices', async () => {
    const dataDir = tempDir();
    const first = createEngine(dataDir, createReplicatingProcessor({ delayMs: 120 }));
    const { studies } = await first.catalog.ingest([mrSeriesCopy()]);
    const created = await first.jobs.create({ studyInstanceUID: studies[0]!.studyInstanceUID, options: { scale: 2 } });

    // stop the "server" once some, but not all, slices are done
    await new Promise<void>((resolve) => {
      const stop = first.jobs.watch(created.id, (job) => {
        if (job.progress.done >= 2) {
          stop();
          resolve();
        }
      }, 10);
    });
    await first.queue.close();
    const interrupted = await first.jobs.get(created.id);
    expect(interrupted.state).toBe('queued');
    const doneBefore = interrupted.slices.filter((s) => s.state === 'done');
    expect(doneBefore.length).toBeGreaterThanOrEqual(2);
    expect(doneBefore.length).toBeLessThan(7);
    const before = new Map(doneBefore.map((s) => {
      const st = fs.statSync(path.join(dataDir, s.resultKey!));
      return [s.resultKey!, { ino: st.ino, mtimeMs: st.mtimeMs }];
    }));

    const second = createEngine(dataDir, createReplicatingProcessor());
    expect(await second.queue.resume()).toEqual([created.id]);
    await second.queue.idle();
    const finished = await second.jobs.get(created.id);
    expect(finished.state).toBe('succeeded');
    expect(finished.attempts).toBe(2);
    for (const [key, st] of before) {
      const now = fs.statSync(path.join(dataDir, key));
      expect({ ino: now.ino, mtimeMs: now.mtimeMs }).toEqual(st);
    }
    // one result per slice, nothing duplicated, nothing half-written
    const files = resultFiles(dataDir);
    expect(files).toHaveLength(7);
    expect((fs.readdirSync(dataDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await second.queue.close();
  });

  it('cancels a queued job and a running job', async () => {
    const dataDir = tempDir();
    // the first slice holds until released: the job is provably running when it is cancelled
    const gate = gatedProcessor(createReplicatingProcessor());
    const engine = createEngine(dataDir, gate.processor);
    const { studies } = await engine.catalog.ingest([mrSeriesCopy()]);
    const study = studies[0]!.studyInstanceUID;
    const running = await engine.jobs.create({ studyInstanceUID: study, options: { scale: 2 } });
    await gate.entered;
    const waiting = await engine.jobs.create({ studyInstanceUID: study, options: { scale: 4 } });
    expect((await engine.jobs.cancel(waiting.id)).state).toBe('cancelled');
    await engine.jobs.cancel(running.id);
    gate.release();
    await engine.queue.idle();
    const a = await engine.jobs.get(running.id);
    expect(a.state).toBe('cancelled');
    expect(a.progress.done).toBeLessThanOrEqual(1); // the slice in flight when cancelled, no more
    expect((await engine.jobs.get(waiting.id)).progress.done).toBe(0);
    expect(gate.calls()).toBe(1);
    await engine.queue.close();
  });

  it('keeps as many slices in flight as the inference pool has workers', async () => {
    const replicate = createReplicatingProcessor({ delayMs: 60 });
    let inFlight = 0;
    let most = 0;
    const engine = createEngine(tempDir(), async (instance, request) => {
      most = Math.max(most, ++inFlight);
      try {
        return await replicate(instance, request);
      } finally {
        inFlight--;
      }
    }, 16, 3);
    const { studies } = await engine.catalog.ingest([mrSeriesCopy()]);
    const created = await engine.jobs.create({ studyInstanceUID: studies[0]!.studyInstanceUID, options: { scale: 2 } });
    await engine.queue.idle();
    const job = await engine.jobs.get(created.id);
    expect(job.state).toBe('succeeded');
    expect(job.progress.done).toBe(7);
    expect(most).toBe(3);
    expect(new Set(job.slices.map((s) => s.resultKey)).size).toBe(7);
    await engine.queue.close();
  });

  it('accepts jobs while paused (model loading) and runs them once started', async () => {
    const dataDir = tempDir();
    const base = createEngine(dataDir, createReplicatingProcessor());
    const queue = createEmbeddedQueue({ runJob: base.runJob, store: base.store, maxQueued: 4, autoStart: false });
    const jobs = createJobService({ store: base.store, storage: base.storage, catalog: base.catalog, queue });
    const { studies } = await base.catalog.ingest([mrSeriesCopy()]);
    const created = await jobs.create({ studyInstanceUID: studies[0]!.studyInstanceUID, options: { scale: 2 } });
    // a paused queue is idle at once with its job still waiting (state, not a sleep)
    await queue.idle();
    expect(await queue.depth()).toBe(1);
    expect((await jobs.get(created.id)).state).toBe('queued');
    expect(await queue.resume()).toEqual([created.id]);
    await queue.idle();
    expect((await jobs.get(created.id)).state).toBe('succeeded');
    await queue.close();
    await base.queue.close();
  });

  it('refuses jobs beyond the queue bound as overloaded', async () => {
    const engine = createEngine(tempDir(), createReplicatingProcessor({ delayMs: 200 }), 1);
    const { studies } = await engine.catalog.ingest([mrSeriesCopy()]);
    const req = { studyInstanceUID: studies[0]!.studyInstanceUID, options: { scale: 2 as const } };
    await engine.jobs.create(req); // runs
    await engine.jobs.create(req); // waits
    await expect(engine.jobs.create(req)).rejects.toMatchObject({ kind: 'overloaded', code: 'queue.full' });
    expect((await engine.jobs.list())).toHaveLength(2);
    await engine.queue.close();
  });
});
