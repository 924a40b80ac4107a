/**
 * Header values no scanner writes but a file can hold: each is a 4xx naming the problem, or a
 * valid derived file with the bad value not carried over. Never a 500.
 */
import { checkedJson } from './helpers/checked-json';
import fs from 'node:fs';
import dicomParser from 'dicom-parser';
import { patchElement } from '../ingest/helpers/patch-element';
import { createNearestProcessor } from '../service/helpers/nearest-processor';
import { CT_SMALL } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';

describe('POST /api/v1/upscale with absurd header values', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ processor: createNearestProcessor() });
  });
  afterAll(() => server.close());

  const source = new Uint8Array(fs.readFileSync(CT_SMALL));
  const post = (body: Uint8Array) =>
    fetch(`${server.url}/api/v1/upscale?scale=2`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': 'application/dicom' } });

  it.each([
    ['RescaleSlope 1e308', '00281053', '1e308'],
    ['RescaleIntercept -1e308', '00281052', '-1e308'],
    ['RescaleSlope 1e40', '00281053', '1e40'],
  ])('%s is a 400 pixel.bad_rescale', async (_name, tag, value) => {
    const res = await post(patchElement(source, tag, value));
    expect(res.status).toBe(400);
    const body = (await checkedJson(res, 'POST')) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('pixel.bad_rescale');
    expect(body.error.message).toMatch(/Rescale/);
  });

  it.each([
    ['NaN', 'NaN'],
    ['beyond an IS', '99999999999'],
  ])('a SeriesNumber of %s gives a derived series numbered 1000 (not a 500)', async (_name, value) => {
    const res = await post(patchElement(source, '00200011', value));
    expect(res.status).toBe(200);
    const ds = dicomParser.parseDicom(new Uint8Array(await res.arrayBuffer()));
    expect(ds.intString('x00200011')).toBe(1000);
  });

  it('an InstanceNumber of NaN is written empty, not copied', async () => {
    const res = await post(patchElement(source, '00200013', 'NaN'));
    expect(res.status).toBe(200);
    const ds = dicomParser.parseDicom(new Uint8Array(await res.arrayBuffer()));
    expect(ds.elements.x00200013).toBeDefined();
    expect(ds.elements.x00200013!.length).toBe(0);
  });
});
