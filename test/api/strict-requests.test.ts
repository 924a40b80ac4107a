/**
 * Every request schema is strict: an unknown or misspelled key is a 400 naming it, never a request
 * that silently runs with the defaults (issue 11: `?schedulr=ddpm` used to be accepted). Options
 * that are known reach the processor as given.
 */
import fs from 'node:fs';
import type { SliceProcessor, UpscaleOptions } from '../../src/service/ports';
import { createReplicatingProcessor, MR_SMALL } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';
import { checkedJson } from './helpers/checked-json';

interface ErrorBody { error: { code: string; message: string; details: { field?: string; fields?: string[] } } }

describe('strict requests', () => {
  let server: TestServer;
  const seen: UpscaleOptions[] = [];
  beforeAll(async () => {
    const replicate = createReplicatingProcessor();
    const processor: SliceProcessor = (instance, request) => {
      seen.push(request.options);
      return replicate(instance, request);
    };
    server = await startTestServer({ processor });
  });
  afterAll(() => server.close());

  const upscale = (query: string) =>
    fetch(`${server.url}/api/v1/upscale${query}`, { method: 'POST', body: new Uint8Array(fs.readFileSync(MR_SMALL)), headers: { 'Content-Type': 'application/dicom' } });

  async function refusal(res: Response, method: string): Promise<ErrorBody['error']> {
    expect(res.status).toBe(400);
    return (await checkedJson<ErrorBody>(res, method)).error;
  }

  it('POST /api/v1/upscale?bogus=1 is a 400 naming bogus, and nothing runs', async () => {
    const before = seen.length;
    const error = await refusal(await upscale('?scale=2&bogus=1'), 'POST');
    expect(error).toEqual({ code: 'request.unknown_field', message: "unknown query parameter 'bogus'", details: { field: 'bogus', fields: ['bogus'], in: 'query' } });
    expect(seen.length).toBe(before);
  });

  it('a misspelled option (?schedulr=ddpm) is refused by name, not run with the default', async () => {
    const error = await refusal(await upscale('?schedulr=ddpm'), 'POST');
    expect(error.code).toBe('request.unknown_field');
    expect(error.details.field).toBe('schedulr');
    expect(error.message).toContain("'schedulr'");
  });

  it('every upscale option given in the query reaches the processor as given', async () => {
    const res = await upscale('?scale=4&steps=3&samples=2&seed=9&guidance=3&degradation=bicubic&resampler=lanczos&scheduler=ddpm&prompt=mr%20head');
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toEqual({ scale: 4, steps: 3, samples: 2, seed: 9, guidance: 3, degradation: 'bicubic', resampler: 'lanczos', scheduler: 'ddpm', prompt: 'mr head' });
  });

  it('an option beyond the shared limits is a 400 naming it (the CLI refuses the same values)', async () => {
    const error = await refusal(await upscale('?samples=40'), 'POST');
    expect(error.code).toBe('request.invalid');
    expect(JSON.stringify(error.details)).toContain('query.samples');
    expect((await refusal(await upscale('?scheduler=euler'), 'POST')).message).toContain('query.scheduler');
  });

  it.each(['/api/v1/studies', '/api/v1/jobs', '/api/v1/options', '/api/v1/studies/1.2.3', '/api/v1/jobs/abc'])('GET %s?bogus=1 is a 400 naming bogus', async (path) => {
    const error = await refusal(await fetch(`${server.url}${path}?bogus=1`), 'GET');
    expect(error.code).toBe('request.unknown_field');
    expect(error.details.field).toBe('bogus');
  });

  it('POST /api/v1/jobs names an unknown field of the body or of its options', async () => {
    const post = (body: unknown) => fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const inOptions = await refusal(await post({ studyInstanceUID: '1.2.3', options: { scale: 2, guidence: 3 } }), 'POST');
    expect(inOptions).toMatchObject({ code: 'request.unknown_field', message: "unknown field 'options.guidence'", details: { field: 'options.guidence' } });
    const topLevel = await refusal(await post({ studyInstanceUID: '1.2.3', series: ['1.2'] }), 'POST');
    expect(topLevel.details.field).toBe('series');
  });

  it('POST /api/v1/jobs refuses options that contradict each other, naming the field', async () => {
    const post = (body: unknown) => fetch(`${server.url}/api/v1/jobs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const conflict = await refusal(await post({ studyInstanceUID: '1.2.3', options: { scale: 2, degradation: 'area', resampler: 'bilinear' } }), 'POST');
    expect(conflict).toMatchObject({ code: 'request.invalid', details: { issues: [{ field: 'body.options.resampler' }] } });
  });

  it('WADO-RS takes the PS3.18 parameters and names anything else; STOW-RS and DELETE take none', async () => {
    expect((await fetch(`${server.url}/dicomweb/studies/1.2.3/metadata?accept=application%2Fdicom%2Bjson&charset=utf-8`)).status).toBe(404); // passes, no such study
    expect((await fetch(`${server.url}/dicomweb/studies/1.2.3/series/4.5/instances/6.7/rendered?quality=90&window=40,400,linear`)).status).toBe(404);
    for (const [method, path] of [['GET', '/dicomweb/studies/1.2.3/metadata?bogus=1'], ['GET', '/dicomweb/studies/1.2.3/series/4.5?bogus=1'], ['POST', '/dicomweb/studies?bogus=1'], ['DELETE', '/dicomweb/studies/1.2.3?bogus=1']] as const) {
      const res = await fetch(`${server.url}${path}`, { method });
      expect(res.status).toBe(400);
      const body = (await res.json()) as ErrorBody;
      expect(body.error).toMatchObject({ code: 'request.unknown_field', details: { field: 'bogus' } });
    }
  });

  it('QIDO-RS takes DICOM keywords and tags and its own parameters, and names anything else', async () => {
    for (const query of ['PatientName=DOE*', '00100010=DOE*', 'limit=1&offset=0&includefield=StudyDescription&fuzzymatching=false']) {
      expect((await fetch(`${server.url}/dicomweb/studies?${query}`)).status).toBe(200);
    }
    const res = await fetch(`${server.url}/dicomweb/studies?bogus=1`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('query.unknown_attribute');
    expect(body.error.details.field).toBe('bogus');
  });
});
