/** @jest-environment ./test/pipeline/helpers/ort-environment.js */
import path from 'node:path';
import { MedsrError } from '../../../src/shared/errors';
import { createSuperResolver } from '../../../src/pipeline/worker/pool';
import { disposeModel, loadModel } from '../../../src/pipeline/model';
import { runUpscale } from '../../../src/pipeline/upscale';
import type { SuperResolver } from '../../../src/pipeline/types';
import { TINY_MODEL_DIR } from '../helpers/reference';
import { phantomTensor, sameBits } from '../helpers/images';

// Under jest the pool runs from src/, so its workers run the TypeScript source (no build needed,
// and an edit to a pipeline file is what the next run tests).
describe('createSuperResolver (worker-thread pool)', () => {
  let resolver: SuperResolver;
  beforeAll(async () => {
    resolver = await createSuperResolver({ modelDir: TINY_MODEL_DIR, device: 'auto', workers: 2, intraOpThreads: 1 });
  });
  afterAll(async () => {
    await resolver?.dispose();
  });

  const opts = { scale: 2 as const, modality: 'MR', prompt: 'mr head t1 axial', steps: 3, samples: 2, seed: 3 };

  it('says which provider runs and exposes the manifest', () => {
    expect(resolver.provider).toBe('cpu');
    expect(resolver.manifest.id).toBe('medsr-tiny-test');
  });

  it('runs the TypeScript source of the inference worker, never a build in dist/', () => {
    // reported by the worker itself (its __filename), not by the pool's choice
    expect(resolver.workerEntry).toBe(path.resolve(__dirname, '../../../src/pipeline/worker/inference-worker.ts'));
  });

  it('drops a cancelled queued job and stops a cancelled running one at a step, then keeps serving', async () => {
    const slow = { ...opts, samples: 1, steps: 200 };
    const running = [new AbortController(), new AbortController()];
    const firstProgress = running.map(() => {
      let seen!: () => void;
      return { promise: new Promise<void>((r) => (seen = r)), seen: () => seen() };
    });
    // two workers: two running jobs, the third waits in the queue
    const jobs = running.map((c, i) => resolver.upscale(phantomTensor(96, 96, i), { ...slow, signal: c.signal, onProgress: () => firstProgress[i]!.seen() }));
    const queuedController = new AbortController();
    const queued = resolver.upscale(phantomTensor(32, 32), { ...slow, signal: queuedController.signal });
    await Promise.all(firstProgress.map((p) => p.promise));
    expect(resolver.state()).toMatchObject({ workers: 2, running: 2, queued: 1 });

    const events: string[] = [];
    resolver.events.on('cancelled', (e) => events.push(`cancelled:${e.stage}`));
    const stopped = new Promise<{ how: string }>((resolve) => resolver.events.once('stopped', resolve));
    queuedController.abort();
    await expect(queued).rejects.toMatchObject({ kind: 'cancelled' });
    running[0]!.abort();
    await expect(jobs[0]).rejects.toMatchObject({ kind: 'cancelled', code: 'upscale.cancelled' });
    // the worker noticed at its next step (long before 200 steps), not by being terminated
    expect(await stopped).toMatchObject({ how: 'answered' });
    expect(events).toEqual(['cancelled:queued', 'cancelled:running']);
    const stoppedToo = new Promise((resolve) => resolver.events.once('stopped', resolve));
    running[1]!.abort();
    await expect(jobs[1]).rejects.toMatchObject({ kind: 'cancelled' });
    await stoppedToo;
    const ok = await resolver.upscale(phantomTensor(16, 16), opts);
    expect(ok.mean.shape).toEqual([1, 1, 32, 32]);
    expect(resolver.state()).toMatchObject({ workers: 2, running: 0, queued: 0 });
  });

  it('refuses at once a job whose signal is already aborted', async () => {
    await expect(resolver.upscale(phantomTensor(16, 16), { ...opts, signal: AbortSignal.abort() })).rejects.toMatchObject({ kind: 'cancelled' });
  });

  it('gives the same bits as running in-process, for concurrent jobs on both workers', async () => {
    const inputs = [phantomTensor(48, 40, 1), phantomTensor(40, 56, 2), phantomTensor(32, 32, 3)];
    const copies = inputs.map((t) => new Float32Array(t.data));
    const pooled = await Promise.all(inputs.map((t) => resolver.upscale(t, opts)));
    // the caller's tensors are not detached by the transfer
    inputs.forEach((t, i) => expect(sameBits(t.data, copies[i]!)).toBe(true));
    const model = await loadModel(TINY_MODEL_DIR, { device: 'cpu' });
    try {
      for (const [i, t] of inputs.entries()) {
        const local = await runUpscale(model, t, opts);
        expect(pooled[i]!.mean.shape).toEqual(local.mean.shape);
        expect(sameBits(pooled[i]!.mean.data, local.mean.data)).toBe(true);
        expect(sameBits(pooled[i]!.std!.data, local.std!.data)).toBe(true);
        expect(pooled[i]!.dcResidual).toBe(local.dcResidual);
      }
    } finally {
      await disposeModel(model);
    }
  });

  it('keeps the event loop free while a job runs and relays progress', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const progress: number[] = [];
    let ticksWhenDone = -1;
    const job = resolver.upscale(phantomTensor(192, 192, 4), { ...opts, samples: 3, onProgress: (f) => progress.push(f) }).then((r) => {
      ticksWhenDone = ticks;
      return r;
    });
    // a timer queued after the job started fires before the job is done
    const tickFirst = await Promise.race([new Promise((r) => setTimeout(() => r('timer'), 0)), job.then(() => 'job')]);
    const r = await job;
    clearInterval(timer);
    expect(tickFirst).toBe('timer');
    expect(ticksWhenDone).toBeGreaterThan(0);
    expect(r.mean.shape).toEqual([1, 1, 384, 384]);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('rejects a bad request with the MedsrError kind and code from the worker, and keeps serving', async () => {
    const err = await resolver.upscale(phantomTensor(16, 16), { ...opts, scale: 3 as never }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MedsrError);
    expect(err).toMatchObject({ kind: 'invalid_input', code: 'upscale.scale' });
    const ok = await resolver.upscale(phantomTensor(16, 16), opts);
    expect(ok.mean.shape).toEqual([1, 1, 32, 32]);
  });
});

describe('createSuperResolver failures and shutdown', () => {
  it('fails at load, with a model error, when the model dir is wrong', async () => {
    await expect(createSuperResolver({ modelDir: path.join(TINY_MODEL_DIR, 'missing'), device: 'cpu' })).rejects.toMatchObject({ kind: 'model', code: 'manifest.missing' });
  });

  it('rejects jobs after dispose', async () => {
    const r = await createSuperResolver({ modelDir: TINY_MODEL_DIR, device: 'cpu' });
    await r.dispose();
    await expect(r.upscale(phantomTensor(16, 16), { scale: 2, modality: 'MR', prompt: '' })).rejects.toMatchObject({ code: 'pool.disposed' });
  });
});
