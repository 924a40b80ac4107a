/** One source of upscale defaults: what GET /api/v1/options says is what a job without options gets. */
import { checkedJson } from './helpers/checked-json';
import { MR_SMALL } from '../service/helpers/replicating-processor';
import { upscaleOptionCatalog, UPSCALE_DEFAULTS, UPSCALE_LIMITS, type UpscaleOptionCatalog } from '../../src/shared/upscale-options';
import { startTestServer, type TestServer } from './helpers/api-fixture';
import fs from 'node:fs';

describe('GET /api/v1/options', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers the shared defaults, and a job created without options uses them', async () => {
    const body = await checkedJson<UpscaleOptionCatalog>(await fetch(`${server.url}/api/v1/options`));
    expect(body).toEqual(upscaleOptionCatalog());
    expect(body.defaults).toEqual({ scale: UPSCALE_DEFAULTS.scale, samples: UPSCALE_DEFAULTS.samples, seed: UPSCALE_DEFAULTS.seed, steps: null, guidance: null, degradation: null, resampler: 'auto', scheduler: null });
    // the same bounds the CLI and the pipeline apply
    expect(body.limits).toEqual({ steps: [...UPSCALE_LIMITS.steps], samples: [...UPSCALE_LIMITS.samples], seed: [...UPSCALE_LIMITS.seed], guidance: [...UPSCALE_LIMITS.guidance] });
    expect(body.choices.scheduler).toEqual(['ddim', 'ddpm', 'dpmsolver++']);
    expect(body.choices.resampler).toEqual(['auto', 'bicubic', 'gaussian-spline', 'lanczos', 'bilinear']);

    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(fs.readFileSync(MR_SMALL))]), 'MR_small.dcm');
    const upload = (await checkedJson(await fetch(`${server.url}/api/v1/studies`, { method: 'POST', body: form }), 'POST')) as { studies: Array<{ studyInstanceUID: string }> };
    const job = (await checkedJson(await fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ studyInstanceUID: upload.studies[0]!.studyInstanceUID }) }), 'POST')) as { options: Record<string, unknown> };
    expect(job.options.scale).toBe(body.defaults.scale);
  });
});
