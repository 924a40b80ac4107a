import { JobSchema } from '../../src/api/schemas';
import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { createReplicatingProcessor, MR_SERIES_DIR } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';
import { makeZip, zipEntryNames } from './helpers/zip';
import { tempDir } from '../service/helpers/service-fixture';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

async function uploadSeries(url: string, extra: Array<[string, Buffer]> = [], headers: Record<string, string> = {}): Promise<Response> {
  const files = fs.readdirSync(MR_SERIES_DIR).sort();
  const zip = await makeZip(files.map((f) => [`MR700/${f}`, fs.readFileSync(path.join(MR_SERIES_DIR, f))]));
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(zip)]), 'series.zip');
  for (const [name, data] of extra) form.append('files', new Blob([new Uint8Array(data)]), name);
  return fetch(`${url}/api/v1/studies`, { method: 'POST', body: form, headers });
}

async function readSse(url: string): Promise<Array<{ event: string; data: Json }>> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const text = await res.text(); // the server ends the stream after the `end` event
  return text
    .split('\n\n')
    .filter((b) => b.startsWith('event:'))
    .map((b) => {
      const [ev, data] = b.split('\n');
      return { event: ev!.slice('event: '.length), data: JSON.parse(data!.slice('data: '.length)) };
    });
}

describe('studies and jobs over HTTP on a real MR series', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ processor: createReplicatingProcessor({ delayMs: 40 }) });
  });
  afterAll(() => server.close());

  it('stores an uploaded zip, reports a rejected file by its name, and serves instances back', async () => {
    const res = await uploadSeries(server.url, [['notes.txt', Buffer.from('not dicom '.repeat(50))]]);
    expect(res.status).toBe(201);
    const report: Json = await checkedJson(res, 'POST');
    expect(report.instancesStored).toBe(7);
    expect(report.rejected).toHaveLength(1);
    expect(report.rejected[0].file).toBe('notes.txt');
    const study = report.studies[0];

    const list: Json = await checkedJson(await fetch(`${server.url}/api/v1/studies`));
    expect(list.studies.map((s: Json) => s.studyInstanceUID)).toContain(study.studyInstanceUID);
    const seriesUID = study.series[0].seriesInstanceUID;
    const series: Json = await checkedJson(await fetch(`${server.url}/api/v1/studies/${study.studyInstanceUID}/series/${seriesUID}`));
    expect(series.instances).toHaveLength(7);
    // the prompt a job would use, built from the metadata by the same rule as the model's training
    expect(series.prompt).toMatch(/^mr\b/);
    expect(study.series[0].prompt).toBe(series.prompt);

    const first = series.instances[0];
    const dicom = await fetch(`${server.url}/api/v1/studies/${study.studyInstanceUID}/series/${seriesUID}/instances/${first.sopInstanceUID}`);
    expect(dicom.headers.get('content-type')).toMatch(/^application\/dicom/);
    const bytes = new Uint8Array(await dicom.arrayBuffer());
    const ds = dicomParser.parseDicom(bytes);
    expect(ds.string('x00080018')).toBe(first.sopInstanceUID);
    expect(first.bytes).toBe(bytes.length); // the stored file's real size (the viewer lists it)

    const thumb = await fetch(`${server.url}/api/v1/studies/${study.studyInstanceUID}/series/${seriesUID}/thumbnail.png`);
    expect(thumb.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await thumb.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');

    const missing = await fetch(`${server.url}/api/v1/studies/1.2.3/series/4.5.6`);
    expect(missing.status).toBe(404);
    expect(((await checkedJson(missing)) as Json).error.code).toBe('series.not_found');
  });

  it('runs a job, streams its progress as SSE, and returns results one by one and as a zip', async () => {
    const report: Json = await checkedJson(await uploadSeries(server.url), 'POST');
    const studyUID = report.studies[0].studyInstanceUID;
    const created = await fetch(`${server.url}/api/v1/jobs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ studyInstanceUID: studyUID, options: { scale: 2, samples: 2 } }),
    });
    expect(created.status).toBe(202);
    const job: Json = await checkedJson(created, 'POST');
    expect(created.headers.get('location')).toBe(`/api/v1/jobs/${job.id}`);

    const events = await readSse(`${server.url}/api/v1/jobs/${job.id}/events`);
    expect(events.at(-1)).toEqual({ event: 'end', data: { state: 'succeeded' } });
    // each progress event is the job as documented, less its slices
    for (const e of events.filter((ev) => ev.event === 'progress')) expect(JobSchema.omit({ slices: true }).safeParse(e.data).error?.issues).toBeUndefined();
    const fractions = events.filter((e) => e.event === 'progress').map((e) => e.data.progress.fraction as number);
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions); // progress never goes back

    const done: Json = await checkedJson(await fetch(`${server.url}/api/v1/jobs/${job.id}`));
    expect(done.progress).toEqual({ total: 7, done: 7, failed: 0, fraction: 1 });

    const results: Json = await checkedJson(await fetch(`${server.url}/api/v1/jobs/${job.id}/results`));
    expect(results.series.map((s: Json) => s.kind).sort()).toEqual(['super-resolution', 'uncertainty']);
    const sr = results.series.find((s: Json) => s.kind === 'super-resolution');
    expect(sr.instances).toHaveLength(7);
    const one = await fetch(`${server.url}${sr.instances[0].url}`);
    const ds = dicomParser.parseDicom(new Uint8Array(await one.arrayBuffer()));
    expect(ds.string('x0020000e')).toBe(sr.seriesInstanceUID);
    expect(ds.uint16('x00280010')).toBe(32);

    const zip = await fetch(`${server.url}/api/v1/jobs/${job.id}/results.zip`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const names = await zipEntryNames(Buffer.from(await zip.arrayBuffer()));
    expect(names.filter((n) => n.startsWith('sr-'))).toHaveLength(7);
    expect(names.filter((n) => n.startsWith('uncertainty-'))).toHaveLength(7);

    // cancelling a finished job changes nothing
    const cancel: Json = await checkedJson(await fetch(`${server.url}/api/v1/jobs/${job.id}`, { method: 'DELETE' }), 'DELETE');
    expect(cancel.state).toBe('succeeded');
  });

  it('names the missing field of a bad job request and 404s unknown jobs', async () => {
    const bad = await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ options: { scale: 8 } }) });
    expect(bad.status).toBe(400);
    const fields = ((await checkedJson(bad, 'POST')) as Json).error.details.issues.map((i: Json) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['body.studyInstanceUID', 'body.options.scale']));
    const unknown = await fetch(`${server.url}/api/v1/jobs/no-such-job`);
    expect(unknown.status).toBe(404);
    expect(((await checkedJson(unknown)) as Json).error).toMatchObject({ code: 'job.not_found' });
  });

  it('serves the OpenAPI document, a docs page, health, readiness, metrics and the placeholder page', async () => {
    const doc: Json = await (await fetch(`${server.url}/api/openapi.json`)).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/upscale', '/api/v1/jobs/{id}/events', '/api/v1/studies']));
    expect(doc.paths['/api/v1/upscale'].post.parameters.map((p: Json) => p.name)).toEqual(expect.arrayContaining(['scale', 'steps', 'samples', 'seed', 'prompt']));
    const docs = await fetch(`${server.url}/api/docs`);
    const html = await docs.text();
    expect(html).toContain('/api/v1/jobs/{id}/results.zip');
    expect(html).not.toMatch(/<script|https?:\/\/(?!127)/);
    expect(docs.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(docs.headers.get('access-control-allow-origin')).toBeNull();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(((await checkedJson(await fetch(`${server.url}/readyz`))) as Json).status).toBe('ok');
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain('medsr_job_queue_depth');
    expect(metrics).toContain('medsr_http_request_duration_seconds_bucket');
    expect(await (await fetch(`${server.url}/`)).text()).toContain('viewer bundle is not built');
  });
});

describe('viewer bundle', () => {
  it('serves dist/viewer at / when it is built', async () => {
    const viewerDir = tempDir('medsr-viewer-');
    fs.writeFileSync(path.join(viewerDir, 'index.html'), '<!doctype html><title>medsr viewer</title><script src="app.js"></script>');
    fs.writeFileSync(path.join(viewerDir, 'app.js'), 'console.log(1)');
    const server = await startTestServer({ viewerDir });
    try {
      expect(await (await fetch(`${server.url}/`)).text()).toContain('<title>medsr viewer</title>');
      const js = await fetch(`${server.url}/app.js`);
      expect(js.headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${server.url}/api/v1/studies`)).status).toBe(200); // the API still wins its paths
    } finally {
      await server.close();
    }
  });
});

describe('API safety settings', () => {
  it('requires the API key on /api when configured, but not on /healthz', async () => {
    const server = await startTestServer({ config: { apiKey: 'secret-key-123' }, ready: false });
    try {
      expect((await fetch(`${server.url}/api/v1/studies`)).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/studies`, { headers: { Authorization: 'Bearer wrong-key-1234' } })).status).toBe(401);
      expect((await fetch(`${server.url}/api/v1/studies`, { headers: { Authorization: 'Bearer secret-key-123' } })).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('refuses uploads over the file-count and byte limits with 413 and allows only the configured CORS origin', async () => {
    const server = await startTestServer({ config: { maxUploadFiles: 2, maxUploadBytes: 100_000, corsOrigin: 'https://viewer.example' } });
    try {
      const form = new FormData();
      for (let i = 0; i < 3; i++) form.append('files', new Blob([Buffer.from('x')]), `f${i}.dcm`);
      const res = await fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: form });
      expect(res.status).toBe(413);
      expect(((await checkedJson(res, 'POST')) as Json).error.code).toBe('upload.too_many_files');
      const big = new FormData();
      big.append('files', new Blob([new Uint8Array(200_000)]), 'big.dcm');
      const tooBig = await fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: big });
      expect(tooBig.status).toBe(413);
      expect(((await checkedJson(tooBig, 'POST')) as Json).error.code).toBe('upload.too_large');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // the server survived both
      const health = await fetch(`${server.url}/healthz`);
      expect(health.headers.get('access-control-allow-origin')).toBe('https://viewer.example');
    } finally {
      await server.close();
    }
  });
});
