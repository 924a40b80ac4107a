/**
 * Auto-routing in process, with real peers: storescu sends a real MR series to the DIMSE SCP,
 * the series goes quiet, a job runs (replicating processor: fast, real DICOM out) and the derived
 * series arrives at a dcmtk storescp. A destination that is down shows as a failed route in the job.
 */
import fs from 'node:fs';
import path from 'node:path';
import dicomParser from 'dicom-parser';
import { startDimseServer, type DimseServer } from '../../src/dimse/dimse-server';
import { createStoreScu } from '../../src/dimse/store-scu';
import { readDicomBytes, readInputs } from '../../src/ingest';
import type { JobRecord } from '../../src/service/jobs/job-model';
import { createServices, type Services } from '../../src/service/services';
import { createReplicatingProcessor, MR_SERIES_DIR } from '../service/helpers/replicating-processor';
import { tempDir } from '../service/helpers/service-fixture';
import { dcmtk, freePort, startStoreScp, type StoreScp, until } from './helpers/dcmtk';

const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));
const sopOf = (file: string): string => dicomParser.parseDicom(new Uint8Array(fs.readFileSync(file))).string('x00080018')!;

async function start(destinationPort: number, attempts = 3, samples?: number): Promise<{ services: Services; dimse: DimseServer }> {
  const services = createServices({
    dataDir: tempDir(),
    readInputs: (p) => readInputs(p),
    readDicomBytes,
    processor: createReplicatingProcessor(),
    maxQueue: 8,
    autoroute: { destination: { aeTitle: 'PACS', host: '127.0.0.1', port: destinationPort }, scale: 2, samples, idleMs: 1000, attempts, backoffMs: 50, send: createStoreScu('MEDSR', 5000) },
  });
  await services.start();
  const dimse = await startDimseServer({ port: 0, aeTitle: 'MEDSR', lifecycle: services.lifecycle, index: services.index });
  return { services, dimse };
}

const routedJob = async (services: Services, final: (j: JobRecord) => boolean): Promise<JobRecord> =>
  until(async () => (await services.store.list()).find((j) => j.route && final(j)), 30_000, 'the routed job');

describe('auto-routing (MEDSR_AUTOROUTE) with dcmtk peers', () => {
  let pacs: StoreScp;
  let running: { services: Services; dimse: DimseServer } | undefined;
  afterEach(async () => {
    await running?.dimse.close();
    await running?.services.close();
    running = undefined;
  });
  afterAll(async () => pacs?.close());

  it('sends the uncertainty series too when auto-routed jobs draw several samples', async () => {
    const withStd = await startStoreScp('PACS', tempDir('medsr-pacs-'));
    try {
      running = await start(withStd.port, 3, 2);
      expect((await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(running.dimse.port), ...seriesFiles.slice(0, 3)])).status).toBe(0);
      const job = await routedJob(running.services, (j) => j.route!.state === 'sent' || j.route!.state === 'failed');
      expect(job.route).toMatchObject({ state: 'sent', sentInstances: 6 });
      const files = await until(() => (withStd.files().length === 6 ? withStd.files() : undefined), 10_000, 'six files at storescp');
      const series = new Set(files.map((f) => dicomParser.parseDicom(new Uint8Array(fs.readFileSync(f))).string('x0020000e')));
      expect(series).toEqual(new Set([job.outputs[0]!.seriesInstanceUID, job.outputs[0]!.uncertaintySeriesInstanceUID]));
    } finally {
      await withStd.close();
    }
  });

  it('sends the derived series of a received series to the destination once the series is complete', async () => {
    pacs = await startStoreScp('PACS', tempDir('medsr-pacs-'));
    running = await start(pacs.port);
    const sent = await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(running.dimse.port), ...seriesFiles]);
    expect(sent.status).toBe(0);

    const job = await routedJob(running.services, (j) => j.route!.state === 'sent' || j.route!.state === 'failed');
    expect(job.route).toMatchObject({ state: 'sent', destination: `PACS@127.0.0.1:${pacs.port}`, attempts: 1, sentInstances: seriesFiles.length });
    expect(job.options.scale).toBe(2);
    const arrived = await until(() => (pacs.files().length === seriesFiles.length ? pacs.files() : undefined), 10_000, 'the derived files at storescp');
    const referenced = new Set<string>();
    for (const file of arrived) {
      const ds = dicomParser.parseDicom(new Uint8Array(fs.readFileSync(file)));
      expect(ds.uint16('x00280010')).toBe(32); // 16 x 16 in, x2
      const items = ds.elements.x00082112?.items ?? [];
      expect(items).toHaveLength(1);
      referenced.add(items[0]!.dataSet!.string('x00081155')!);
    }
    expect(referenced).toEqual(new Set(seriesFiles.map(sopOf)));
    // exactly one job for the series: arrivals inside the idle time do not start jobs of their own
    expect((await running.services.store.list()).filter((j) => j.route)).toHaveLength(1);
  });

  it('retries with backoff and shows the failure in the job when the destination is down', async () => {
    const closedPort = await freePort();
    running = await start(closedPort, 3);
    expect((await dcmtk('storescu', ['-aec', 'MEDSR', '127.0.0.1', String(running.dimse.port), ...seriesFiles.slice(0, 2)])).status).toBe(0);
    const job = await routedJob(running.services, (j) => j.route!.state === 'failed' || j.route!.state === 'sent');
    expect(job.state).toBe('succeeded');
    expect(job.route).toMatchObject({ state: 'failed', attempts: 3 });
    expect(job.route!.lastError).toMatch(/cannot send to PACS@127\.0\.0\.1/);
  });
});
