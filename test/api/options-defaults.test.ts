/** One source of upscale defaults: what GET /api/v1/options says is what a job without options gets. */
import { MR_SMALL } from '../service/helpers/replicating-processor';
import { UPSCALE_DEFAULTS } from '../../src/shared/upscale-defaults';
import { startTestServer, type TestServer } from './helpers/api-fixture';
import fs from 'node:fs';

describe('GET /api/v1/options', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers the shared defaults, and a job created without options uses them', async () => {
    const body = (await (await fetch(`${server.url}/api/v1/options`)).json()) as { defaults: Record<string, unknown>; limits: Record<string, number[]> };
    expect(body.defaults).toEqual({ scale: UPSCALE_DEFAULTS.scale, samples: UPSCALE_DEFAULTS.samples, seed: UPSCALE_DEFAULTS.seed, steps: null, guidance: null });
    expect(body.limits.samples).toEqual([1, 16]);

    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(fs.readFileSync(MR_SMALL))]), 'MR_small.dcm');
    const upload = (await (await fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: form })).json()) as { studies: Array<{ studyInstanceUID: string }> };
    const job = (await (await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: upload.studies[0]!.studyInstanceUID }) })).json()) as { options: Record<string, unknown> };
    expect(job.options.scale).toBe(body.defaults.scale);
  });
});
