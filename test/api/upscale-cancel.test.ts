/**
 * A client that goes away mid-upscale, for real: the real app on a port over the real runtime
 * (ingest, worker pool running the model), a real HTTP request whose socket is destroyed while
 * its slice runs. Synchronised on the pool's events, never on sleeps.
 */
import fs from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/api/app';
import { apiDepsOf } from '../../src/api/context';
import type { Runtime } from '../../src/service/runtime';
import { createServices, type Services } from '../../src/service/services';
import { LOOPBACK_HOSTS } from '../../src/shared/config';
import { MR_SMALL } from '../service/helpers/replicating-processor';
import { startRealRuntime } from '../service/helpers/real-runtime';
import { tempDir } from '../service/helpers/service-fixture';

jest.setTimeout(240_000);

describe('POST /api/v1/upscale when the client goes away', () => {
  let runtime: Runtime;
  let services: Services;
  let server: http.Server;
  let port: number;
  beforeAll(async () => {
    runtime = await startRealRuntime();
    services = createServices({ dataDir: tempDir(), readInputs: runtime.readInputs, readDicomBytes: runtime.readDicomBytes, processor: runtime.processor, maxQueue: 8 });
    const app = createApp(apiDepsOf(runtime, services, {
      config: { apiKey: undefined, corsOrigin: undefined, allowedHosts: LOOPBACK_HOSTS, sessionHours: 12, maxUploadBytes: 50 * 2 ** 20, maxUploadFiles: 100, maxQueue: 8 },
      syncConcurrency: 1,
    }));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await services?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await runtime?.dispose();
  });

  const slice = fs.readFileSync(MR_SMALL);
  const post = (query: string): http.ClientRequest =>
    http.request({ host: '127.0.0.1', port, method: 'POST', path: `/api/v1/upscale?${query}`, headers: { 'Content-Type': 'application/dicom', 'Content-Length': slice.length } });

  it('cancels the running pool task, counts it as cancelled (not failed), and the next request succeeds', async () => {
    const started = once(runtime.pool.events, 'started');
    const request = post('scale=2&steps=200&seed=1');
    request.on('error', () => undefined); // our own destroy below
    request.end(slice);
    const [{ id }] = (await started) as [{ id: number }];

    const cancelled = once(runtime.pool.events, 'cancelled');
    const stopped = once(runtime.pool.events, 'stopped');
    request.destroy(); // the client goes away while its slice is in a worker
    expect((await cancelled)[0]).toEqual({ id, stage: 'running' });
    // the worker stopped at a denoising step (it was not terminated) and is free again
    expect((await stopped)[0]).toEqual({ id, how: 'answered' });
    expect(runtime.pool.state()).toEqual({ workers: 1, running: 0, stopping: 0, queued: 0 });

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/medsr_inference_duration_seconds_count\{source="sync",outcome="cancelled"\} 1\b/);
    expect(metrics).not.toMatch(/medsr_inference_duration_seconds_count\{source="sync",outcome="failed"\}/);

    const next = await fetch(`http://127.0.0.1:${port}/api/v1/upscale?scale=2&steps=2&seed=1`, { method: 'POST', body: new Uint8Array(slice), headers: { 'Content-Type': 'application/dicom' } });
    expect(next.status).toBe(200);
    expect(next.headers.get('content-type')).toBe('application/dicom');
  });
});
