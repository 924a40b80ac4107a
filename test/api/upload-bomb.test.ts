/**
 * An upload of many small, highly compressed entries (5,000 x 1 MiB of zeros: a few MB on the
 * wire, 5 GB inflated) is refused as one bomb from its central directory, inflating nothing.
 */
import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../service/helpers/service-fixture';
import { writeZip } from '../ingest/helpers';
import { startTestServer, type TestServer } from './helpers/api-fixture';

describe('POST /api/v1/studies with a many-entry bomb', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers 422 naming the archive as zip.bomb, within a second or two of CPU', async () => {
    const archive = path.join(tempDir(), 'zeros.zip');
    const zeros = new Uint8Array(1024 * 1024);
    writeZip(archive, Array.from({ length: 5000 }, (_, i) => ({ name: `DICOM/IM${i}`, data: zeros })));
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(fs.readFileSync(archive))]), 'zeros.zip');
    const cpu = process.cpuUsage();
    const res = await fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: form });
    const { user, system } = process.cpuUsage(cpu);
    expect(res.status).toBe(422);
    const report = (await checkedJson(res, 'POST')) as { instancesStored: number; rejected: Array<{ file: string; code: string }> };
    expect(report.instancesStored).toBe(0);
    expect(report.rejected).toEqual([expect.objectContaining({ file: 'zeros.zip', code: 'zip.bomb' })]);
    expect((user + system) / 1000).toBeLessThan(3000);
  });
});
