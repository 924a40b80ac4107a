/**
 * DICOMweb round trips with the `dicomweb-client` package (as OHIF uses it) against a real server:
 * STOW-RS of real MR instances, QIDO-RS (matching, limit/offset, includefield), WADO-RS retrieval
 * byte-identical to what was stored, metadata as DICOM JSON, frames and rendered PNGs.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { api as dicomweb } from 'dicomweb-client';
import { MR_SERIES_DIR, MR_SMALL } from '../service/helpers/replicating-processor';
import { startTestServer, type TestServer } from './helpers/api-fixture';

// dicomweb-client speaks XMLHttpRequest; xhr2 is its implementation for Node
// eslint-disable-next-line @typescript-eslint/no-require-imports
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');

type Json = Record<string, { vr: string; Value?: unknown[] }>;
const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));
const bytesOf = (f: string): Buffer => fs.readFileSync(f);
const arrayBufferOf = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
const sha = (b: ArrayBuffer | Buffer): string => createHash('sha256').update(Buffer.from(b as ArrayBuffer)).digest('hex');
const uids = (f: string): { study: string; series: string; sop: string } => {
  const ds = dicomParser.parseDicom(new Uint8Array(bytesOf(f)));
  return { study: ds.string('x0020000d')!, series: ds.string('x0020000e')!, sop: ds.string('x00080018')! };
};
const value = (r: Json, tag: string): unknown => r[tag]?.Value?.[0];

describe('DICOMweb with dicomweb-client', () => {
  let server: TestServer;
  let client: InstanceType<typeof dicomweb.DICOMwebClient>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let c: any;
  const mr = uids(seriesFiles[0]!);
  const small = uids(MR_SMALL);

  beforeAll(async () => {
    server = await startTestServer();
    client = new dicomweb.DICOMwebClient({ url: `${server.url}/dicomweb`, singlepart: false, verbose: false });
    c = client;
  });
  afterAll(() => server.close());

  it('STOW-RS stores a study, and QIDO-RS finds it with matching, paging and includefield', async () => {
    const response = await c.storeInstances({ datasets: [...seriesFiles, MR_SMALL].map((f) => arrayBufferOf(bytesOf(f))) });
    expect(response).toBeDefined();
    const studies: Json[] = await c.searchForStudies();
    expect(studies.map((s) => value(s, '0020000D')).sort()).toEqual([mr.study, small.study].sort());
    const mrStudy = studies.find((s) => value(s, '0020000D') === mr.study)!;
    expect(mrStudy['00080061']!.Value).toEqual(['MR']);
    expect(value(mrStudy, '00201208')).toBe(7);

    const patient = String((value(mrStudy, '00100010') as { Alphabetic: string }).Alphabetic);
    const byName: Json[] = await c.searchForStudies({ queryParams: { PatientName: `${patient.slice(0, 3).toLowerCase()}*` } });
    expect(byName.map((s) => value(s, '0020000D'))).toEqual([mr.study]);
    const byUid: Json[] = await c.searchForStudies({ queryParams: { StudyInstanceUID: small.study } });
    expect(byUid).toHaveLength(1);
    const page1: Json[] = await c.searchForStudies({ queryParams: { limit: 1 } });
    const page2: Json[] = await c.searchForStudies({ queryParams: { limit: 1, offset: 1 } });
    expect(page1).toHaveLength(1);
    expect(page2).toHaveLength(1);
    expect(value(page1[0]!, '0020000D')).not.toBe(value(page2[0]!, '0020000D'));
    const withField: Json[] = await c.searchForStudies({ queryParams: { StudyInstanceUID: mr.study, includefield: 'Manufacturer' } });
    expect(value(withField[0]!, '00080070')).toBe('Philips Medical Systems, Inc.');
    expect(mrStudy['00080070']).toBeUndefined();

    const series: Json[] = await c.searchForSeries({ studyInstanceUID: mr.study });
    expect(series.map((s) => value(s, '0020000E'))).toEqual([mr.series]);
    expect(value(series[0]!, '00201209')).toBe(7);
    expect(await c.searchForSeries({ studyInstanceUID: mr.study, queryParams: { Modality: 'CT' } })).toEqual([]);
    const instances: Json[] = await c.searchForInstances({ studyInstanceUID: mr.study, seriesInstanceUID: mr.series });
    expect(instances.map((i) => value(i, '00080018')).sort()).toEqual(seriesFiles.map((f) => uids(f).sop).sort());
  });

  it('WADO-RS retrieves instances, series and studies byte-identical to what was stored', async () => {
    const one: ArrayBuffer = await c.retrieveInstance({ studyInstanceUID: small.study, seriesInstanceUID: small.series, sopInstanceUID: small.sop });
    expect(Buffer.compare(Buffer.from(one), bytesOf(MR_SMALL))).toBe(0);
    const series: ArrayBuffer[] = await c.retrieveSeries({ studyInstanceUID: mr.study, seriesInstanceUID: mr.series });
    expect(series.map(sha).sort()).toEqual(seriesFiles.map((f) => sha(bytesOf(f))).sort());
    const study: ArrayBuffer[] = await c.retrieveStudy({ studyInstanceUID: mr.study });
    expect(study.map(sha).sort()).toEqual(seriesFiles.map((f) => sha(bytesOf(f))).sort());
  });

  it('WADO-RS serves metadata as DICOM JSON, raw frames and rendered PNGs', async () => {
    const metadata: Json[] = await c.retrieveSeriesMetadata({ studyInstanceUID: mr.study, seriesInstanceUID: mr.series });
    expect(metadata).toHaveLength(7);
    for (const m of metadata) {
      expect(value(m, '0020000E')).toBe(mr.series);
      expect(value(m, '00280010')).toBe(16);
      expect(m['7FE00010']).toBeUndefined(); // no bulk data inline
    }
    const frames: ArrayBuffer[] = await c.retrieveInstanceFrames({ studyInstanceUID: small.study, seriesInstanceUID: small.series, sopInstanceUID: small.sop, frameNumbers: [1] });
    expect(frames).toHaveLength(1);
    expect(frames[0]!.byteLength).toBe(64 * 64 * 2);
    const rendered: ArrayBuffer | ArrayBuffer[] = await c.retrieveInstanceRendered({ studyInstanceUID: small.study, seriesInstanceUID: small.series, sopInstanceUID: small.sop, mediaTypes: [{ mediaType: 'image/png' }] });
    const png = Array.isArray(rendered) ? rendered[0]! : rendered; // this client version answers a one-item list
    expect(Buffer.from(new Uint8Array(png)).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const missing = await fetch(`${server.url}/dicomweb/studies/1.2.3/series/4.5/instances/6.7`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('instance.not_found');
    const badQuery = await fetch(`${server.url}/dicomweb/studies?NoSuchAttribute=1`);
    expect(badQuery.status).toBe(400);
  });
});
