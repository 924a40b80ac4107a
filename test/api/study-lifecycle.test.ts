/**
 * Study lifecycle over HTTP on real files: DELETE /api/v1/studies/{study} and DICOMweb's DELETE
 * remove originals, jobs and results from QIDO, the API and the disk; /metrics reports disk usage.
 */
import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { createReplicatingProcessor, MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';

type Json = Record<string, { vr: string; Value?: unknown[] }>;
const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));
const studyOf = (f: string): string => dicomParser.parseDicom(new Uint8Array(fs.readFileSync(f))).string('x0020000d')!;

function multipart(files: string[]): { body: Buffer; type: string } {
  const boundary = 'lifecycle-test-boundary';
  const parts = files.flatMap((f) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), fs.readFileSync(f), Buffer.from('\r\n')]);
  return { body: Buffer.concat([...parts, Buffer.from(`--${boundary}--\r\n`)]), type: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

async function stow(server: TestServer, files: string[]): Promise<void> {
  const { body, type } = multipart(files);
  const res = await fetch(`${server.url}/dicomweb/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': type } });
  expect(res.status).toBe(200);
}

async function finished(server: TestServer, id: string): Promise<{ state: string }> {
  for (;;) {
    const job = (await checkedJson(await fetch(`${server.url}/api/v1/jobs/${id}`))) as { state: string };
    if (['succeeded', 'partial', 'failed', 'cancelled'].includes(job.state)) return job;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const storageBytes = async (server: TestServer, area: string): Promise<number> => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^medsr_storage_bytes\\{area="${area}"\\} (\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`no medsr_storage_bytes for ${area} in /metrics`);
  return Number(m[1]);
};

describe('study lifecycle', () => {
  let server: TestServer;
  let dataDir: string;
  afterEach(() => server.close());

  async function start(delayMs = 0): Promise<void> {
    server = await startTestServer({ processor: createReplicatingProcessor({ delayMs }) });
    dataDir = server.engine.storage.describe().replace(/^directory /, '');
  }

  it('DELETE /api/v1/studies/{study} removes originals, jobs and results from QIDO, the API and the disk', async () => {
    await start();
    const study = studyOf(seriesFiles[0]!);
    await stow(server, seriesFiles);
    const created = (await checkedJson(await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: study, options: { scale: 2 } }) }), 'POST')) as { id: string };
    expect((await finished(server, created.id)).state).toBe('succeeded');
    // the derived series is part of the study for DICOMweb clients
    const series = (await (await fetch(`${server.url}/dicomweb/studies/${study}/series`)).json()) as Json[];
    expect(series).toHaveLength(2);
    expect(await storageBytes(server, 'studies')).toBeGreaterThan(0);
    expect(await storageBytes(server, 'results')).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dataDir, 'results', created.id))).toBe(true);

    const res = await fetch(`${server.url}/api/v1/studies/${study}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await checkedJson(res, 'DELETE')).toEqual({ studyInstanceUID: study, deleted: true, jobsDeleted: 1 });
    expect(await (await fetch(`${server.url}/dicomweb/studies`)).json()).toEqual([]);
    expect((await fetch(`${server.url}/api/v1/studies/${study}`)).status).toBe(404);
    expect((await fetch(`${server.url}/api/v1/jobs/${created.id}`)).status).toBe(404);
    expect(fs.existsSync(path.join(dataDir, 'studies', study))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'results', created.id))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'jobs', `${created.id}.json`))).toBe(false);
    expect(await storageBytes(server, 'results')).toBe(0);
    expect(await storageBytes(server, 'studies')).toBe(0);

    const again = await fetch(`${server.url}/api/v1/studies/${study}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(((await checkedJson(again, 'DELETE')) as { error: { code: string } }).error.code).toBe('study.not_found');
  });

  it("DICOMweb's DELETE stops a running job first, and nothing of the study comes back", async () => {
    await start(400);
    const study = studyOf(MR_SMALL);
    await stow(server, [MR_SMALL, ...seriesFiles]);
    const created = (await checkedJson(await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: study, options: { scale: 2 } }) }), 'POST')) as { id: string };
    for (;;) {
      const job = (await checkedJson(await fetch(`${server.url}/api/v1/jobs/${created.id}`))) as { state: string };
      if (job.state === 'running') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await fetch(`${server.url}/dicomweb/studies/${study}`, { method: 'DELETE' })).status).toBe(204);
    const left = (await (await fetch(`${server.url}/dicomweb/studies`)).json()) as Json[];
    expect(left.map((s) => s['0020000D']!.Value![0])).toEqual([studyOf(seriesFiles[0]!)]);
    expect(fs.existsSync(path.join(dataDir, 'jobs', `${created.id}.json`))).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'results', created.id))).toBe(false);
  });
});
