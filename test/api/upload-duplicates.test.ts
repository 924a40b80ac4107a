/**
 * Two different files under one SOP Instance UID (pydicom's chrFren.dcm and chrFrenMulti.dcm):
 * the second is refused by name, never silently replacing the first; the same file uploaded
 * again is fine.
 */
import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import path from 'node:path';
import { pydicom } from '../ingest/helpers';
import { startTestServer, type TestServer } from './helpers/api-fixture';

const CHARSETS = path.resolve(pydicom('CT_small.dcm'), '../../charset_files');

describe('POST /api/v1/studies with duplicate SOP Instance UIDs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const upload = (...names: string[]) => {
    const form = new FormData();
    for (const name of names) form.append('files', new Blob([new Uint8Array(fs.readFileSync(path.join(CHARSETS, name)))]), name);
    return fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: form });
  };

  it('stores the first, refuses the other content under the same UID, and accepts the same bytes again', async () => {
    const first = await upload('chrFren.dcm', 'chrFrenMulti.dcm');
    expect(first.status).toBe(201);
    const report = (await checkedJson(first, 'POST')) as { instancesStored: number; rejected: Array<{ file: string; code: string; message: string }> };
    expect(report.instancesStored).toBe(1);
    expect(report.rejected).toEqual([expect.objectContaining({ file: 'chrFrenMulti.dcm', code: 'upload.duplicate_uid' })]);

    const studies = (await checkedJson(await fetch(`${server.url}/api/v1/studies`))) as { studies: Array<{ studyInstanceUID: string; series: Array<{ seriesInstanceUID: string }> }> };
    const study = studies.studies[0]!;
    const series = (await checkedJson(await fetch(`${server.url}/api/v1/studies/${study.studyInstanceUID}/series/${study.series[0]!.seriesInstanceUID}`))) as { instances: Array<{ sopInstanceUID: string }> };
    const stored = await fetch(`${server.url}/api/v1/studies/${study.studyInstanceUID}/series/${study.series[0]!.seriesInstanceUID}/instances/${series.instances[0]!.sopInstanceUID}`);
    expect(Buffer.from(await stored.arrayBuffer()).equals(fs.readFileSync(path.join(CHARSETS, 'chrFren.dcm')))).toBe(true);

    const again = await upload('chrFren.dcm');
    expect(again.status).toBe(201);
    expect(((await checkedJson(again, 'POST')) as { rejected: unknown[] }).rejected).toEqual([]);
  });
});
