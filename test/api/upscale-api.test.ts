import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import { PNG } from 'pngjs';
import { createReplicatingProcessor, CT_SMALL, MR_SMALL } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';

describe('POST /api/v1/upscale on real DICOM', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const post = (query: string, body: Uint8Array, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/api/v1/upscale${query}`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': 'application/dicom', ...headers } });

  it('answers a derived DICOM that references the source slice', async () => {
    const res = await post('?scale=2&seed=7', fs.readFileSync(MR_SMALL));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/dicom/);
    const ds = dicomParser.parseDicom(new Uint8Array(await res.arrayBuffer()));
    const source = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(MR_SMALL)));
    expect(ds.uint16('x00280010')).toBe(2 * source.uint16('x00280010')!);
    expect(ds.elements.x00082112!.items![0]!.dataSet!.string('x00081155')).toBe(source.string('x00080018'));
    expect(ds.string('x00080018')).not.toBe(source.string('x00080018'));
  });

  it('answers a 16-bit greyscale PNG of the stored values with Accept: image/png', async () => {
    const res = await post('?scale=4', fs.readFileSync(CT_SMALL), { Accept: 'image/png' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    const buf = Buffer.from(await res.arrayBuffer());
    const png = PNG.sync.read(buf, { skipRescale: true } as never);
    expect([png.width, png.height]).toEqual([512, 512]);
    expect(buf.readUInt8(24)).toBe(16); // IHDR bit depth
    expect(buf.readUInt8(25)).toBe(0); // colour type: greyscale
    expect(Number(res.headers.get('x-medsr-value-offset'))).toBe(32768); // CT_small is signed 16-bit
  });

  it('names the bad field in a 400 for an unknown degradation', async () => {
    const res = await post('?scale=2&degradation=sinc', fs.readFileSync(MR_SMALL));
    expect(res.status).toBe(400);
    const body = (await checkedJson(res, 'POST')) as { error: { code: string; details: { issues: Array<{ field: string }> } } };
    expect(body.error.details.issues[0]!.field).toBe('query.degradation');
  });

  it('names the bad field in a 400 for an unknown resampler', async () => {
    const res = await post('?scale=2&resampler=nearest', fs.readFileSync(MR_SMALL));
    expect(res.status).toBe(400);
    const body = (await checkedJson(res, 'POST')) as { error: { code: string; details: { issues: Array<{ field: string }> } } };
    expect(body.error.details.issues[0]!.field).toBe('query.resampler');
  });

  it('refuses a named downsampler beside a told lower matrix: a 400 naming the resampler', async () => {
    const res = await post('?scale=2&degradation=kspace&resampler=lanczos', fs.readFileSync(MR_SMALL));
    expect(res.status).toBe(400);
    const body = (await checkedJson(res, 'POST')) as { error: { code: string; message: string; details: { issues: Array<{ field: string }> } } };
    expect(body.error.details.issues[0]!.field).toBe('query.resampler');
    expect(body.error.message).toContain("degradation 'kspace'");
  });

  it('names the bad field in a 400 for an unsupported scale', async () => {
    const res = await post('?scale=3', fs.readFileSync(MR_SMALL));
    expect(res.status).toBe(400);
    const body = (await checkedJson(res, 'POST')) as { error: { code: string; message: string; details: { issues: Array<{ field: string }> } } };
    expect(body.error.code).toBe('request.invalid');
    expect(body.error.details.issues[0]!.field).toBe('query.scale');
  });

  it('refuses a body that is not DICOM (400) and a wrong content type (415)', async () => {
    const bad = await post('?scale=2', Buffer.from('this is not a DICOM file at all, just text'.repeat(10)));
    expect(bad.status).toBe(400);
    expect(((await checkedJson(bad, 'POST')) as { error: { code: string } }).error.code).toMatch(/^dicom\./);
    const wrongType = await post('', fs.readFileSync(MR_SMALL), { 'Content-Type': 'application/octet-stream' });
    expect(wrongType.status).toBe(415);
  });

  it('answers 503 with Retry-After beyond its bounded queue, and /healthz stays fast meanwhile', async () => {
    const slow = await startTestServer({ processor: createReplicatingProcessor({ delayMs: 1000 }), syncConcurrency: 1, config: { maxQueue: 2 } });
    try {
      const body = fs.readFileSync(MR_SMALL);
      const requests = Array.from({ length: 10 }, () =>
        fetch(`${slow.url}/api/v1/upscale?scale=2`, { method: 'POST', body, headers: { 'Content-Type': 'application/dicom' } }),
      );
      const health = await fetch(`${slow.url}/healthz`);
      expect(health.status).toBe(200);
      const responses = await Promise.all(requests);
      const statuses = responses.map((r) => r.status).sort();
      // 1 running + 2 waiting are served; the rest are refused at once, none crash
      const served = statuses.filter((s) => s === 200).length;
      const refusedCount = statuses.filter((s) => s === 503).length;
      expect(served).toBeGreaterThanOrEqual(3);
      expect(refusedCount).toBeGreaterThanOrEqual(1);
      expect(served + refusedCount).toBe(10);
      const refused = responses.find((r) => r.status === 503)!;
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await checkedJson(refused, 'POST')) as { error: { code: string } }).error.code).toBe('upscale.busy');
      const metrics = await (await fetch(`${slow.url}/metrics`)).text();
      expect(metrics).toContain(`medsr_errors_total{code="upscale.busy"} ${refusedCount}`);
      expect(metrics).toContain(`medsr_inference_duration_seconds_count{source="sync",outcome="done"} ${served}`);
    } finally {
      await slow.close();
    }
  });
});
