import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dicomParser from 'dicom-parser';
import { createApp } from '../../src/api/app';
import { LOOPBACK_HOSTS } from '../../src/shared/config';
import { apiDepsOf } from '../../src/api/context';
import type { Runtime } from '../../src/service/runtime';
import { createServices, type Services } from '../../src/service/services';
import { MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { newIodErrors, startRealRuntime } from '../service/helpers/real-runtime';
import { tempDir } from '../service/helpers/service-fixture';
import { writeTwoWaySeries } from '../service/helpers/two-way-series';

jest.setTimeout(240_000);
type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The whole service as `medsr serve` composes it: real ingest, real model, embedded queue. */
describe('end to end: real corpus slices through the API and the real model', () => {
  let runtime: Runtime;
  let services: Services;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    runtime = await startRealRuntime();
    services = createServices({ dataDir: tempDir(), readInputs: runtime.readInputs, readDicomBytes: runtime.readDicomBytes, processor: runtime.processor, maxQueue: 8 });
    await services.start();
    const app = createApp(apiDepsOf(runtime, services, {
      config: { apiKey: undefined, corsOrigin: undefined, allowedHosts: LOOPBACK_HOSTS, sessionHours: 12, maxUploadBytes: 50 * 2 ** 20, maxUploadFiles: 100, maxQueue: 8 },
      syncConcurrency: 1,
    }));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await services?.close();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await runtime?.dispose();
  });

  it('POST /api/v1/upscale?scale=2 answers a valid derived DICOM that references the corpus slice', async () => {
    const ready: Json = await checkedJson(await fetch(`${url}/readyz`));
    expect(ready.status).toBe('ok');
    const res = await fetch(`${url}/api/v1/upscale?scale=2&steps=2&seed=5`, { method: 'POST', body: new Uint8Array(fs.readFileSync(MR_SMALL)), headers: { 'Content-Type': 'application/dicom' } });
    expect(res.status).toBe(200);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const out = path.join(tempDir(), 'derived.dcm');
    fs.writeFileSync(out, bytes);
    expect(newIodErrors(out, MR_SMALL)).toEqual([]);
    const ds = dicomParser.parseDicom(bytes);
    const src = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(MR_SMALL)));
    expect(ds.elements.x00082112!.items![0]!.dataSet!.string('x00081155')).toBe(src.string('x00080018'));
    expect(ds.uint16('x00280010')).toBe(2 * src.uint16('x00280010')!);
    expect(ds.string('x00080008')).toMatch(/^DERIVED/);
  });

  it('?guidance=3 and ?scheduler=ddpm reach the pipeline: the derived DICOM records them in DerivationDescription', async () => {
    const res = await fetch(`${url}/api/v1/upscale?scale=2&steps=1&seed=5&guidance=3&scheduler=ddpm`, { method: 'POST', body: new Uint8Array(fs.readFileSync(MR_SMALL)), headers: { 'Content-Type': 'application/dicom' } });
    expect(res.status).toBe(200);
    const description = dicomParser.parseDicom(new Uint8Array(await res.arrayBuffer())).string('x00082111') ?? '';
    expect(description).toMatch(/\bguidance=3\b/);
    expect(description).toMatch(/\bscheduler=ddpm\b/);
    expect(description).toMatch(/\bsteps=1\b/);
    // a misspelled option is refused by name before any work, not run with the model's default
    const misspelled = await fetch(`${url}/api/v1/upscale?scale=2&guidence=3`, { method: 'POST', body: new Uint8Array(fs.readFileSync(MR_SMALL)), headers: { 'Content-Type': 'application/dicom' } });
    expect(misspelled.status).toBe(400);
    expect((await checkedJson<Json>(misspelled, 'POST')).error.details.field).toBe('guidence');
  });

  it('uploads a real series, runs a job with uncertainty, and every result passes dciodvfy', async () => {
    const form = new FormData();
    for (const f of fs.readdirSync(MR_SERIES_DIR).sort()) form.append('files', new Blob([new Uint8Array(fs.readFileSync(path.join(MR_SERIES_DIR, f)))]), f);
    const upload: Json = await checkedJson(await fetch(`${url}/api/v1/studies`, { method: 'POST', body: form }), 'POST');
    expect(upload.instancesStored).toBe(7);
    const job: Json = await checkedJson(await fetch(`${url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: upload.studies[0].studyInstanceUID, options: { scale: 2, samples: 2, steps: 1, seed: 2 } }) }), 'POST');
    const end = await (await fetch(`${url}/api/v1/jobs/${job.id}/events`)).text();
    expect(end).toContain('event: end\ndata: {"state":"succeeded"}');
    // each slice says how its degradation was handled and which path it took (the schema-checked job), and the job
    // warns exactly when the series' slices took more than one path
    const done: Json = await checkedJson(await fetch(`${url}/api/v1/jobs/${job.id}`));
    const paths = new Set<string>();
    for (const slice of done.slices) {
      expect(slice.degradation).toMatch(/^auto->(kspace|bicubic) \(/);
      expect(Object.values(slice.paths)).toEqual([1]);
      expect(slice.degradation.startsWith(`auto->${Object.keys(slice.paths)[0]} `)).toBe(true);
      paths.add(Object.keys(slice.paths)[0]!);
    }
    expect(done.warnings?.map((w: Json) => w.code)).toEqual(paths.size > 1 ? ['series.mixed_paths'] : undefined);
    const results: Json = await checkedJson(await fetch(`${url}/api/v1/jobs/${job.id}/results`));
    const dir = tempDir();
    const source = path.join(MR_SERIES_DIR, fs.readdirSync(MR_SERIES_DIR)[0]!);
    for (const series of results.series) {
      expect(series.instances).toHaveLength(7);
      const res = await fetch(`${url}${series.instances[0].url}`);
      const file = path.join(dir, `${series.kind}.dcm`);
      fs.writeFileSync(file, new Uint8Array(await res.arrayBuffer()));
      expect(newIodErrors(file, source)).toEqual([]);
    }
    const preview = await fetch(`${url}${results.series[0].instances[0].url}/preview.png`);
    expect(preview.headers.get('content-type')).toBe('image/png');
  });

  it('a series whose slices the detector routes two ways: each slice keeps its path, and the job names the series', async () => {
    const { files, seriesInstanceUID, sopInstanceUIDs } = writeTwoWaySeries(tempDir());
    const form = new FormData();
    for (const f of files) form.append('files', new Blob([new Uint8Array(fs.readFileSync(f))]), path.basename(f));
    const upload: Json = await checkedJson(await fetch(`${url}/api/v1/studies`, { method: 'POST', body: form }), 'POST');
    const job: Json = await checkedJson(await fetch(`${url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: upload.studies[0].studyInstanceUID, options: { scale: 2, steps: 1, seed: 2 } }) }), 'POST');
    await (await fetch(`${url}/api/v1/jobs/${job.id}/events`)).text();
    const done: Json = await checkedJson(await fetch(`${url}/api/v1/jobs/${job.id}`));
    expect(done.state).toBe('succeeded');
    const pathOf = (sop: string) => done.slices.find((s: Json) => s.sopInstanceUID === sop).paths;
    expect([pathOf(sopInstanceUIDs.kspace), pathOf(sopInstanceUIDs.bicubic)]).toEqual([{ kspace: 1 }, { bicubic: 1 }]);
    expect(done.warnings).toEqual([{ code: 'series.mixed_paths', seriesInstanceUID, paths: { kspace: 1, bicubic: 1 }, message: expect.stringMatching(/^the slices of series .* took different paths \(kspace 1, bicubic 1\)/) }]);
  });
});
