/**
 * STOW-RS feeds auto-routing like DIMSE does: a series stored over DICOMweb becomes a job once it
 * is quiet, and its derived series reaches dcmtk's storescp.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../../src/api/app';
import { createStoreScu } from '../../src/dimse/store-scu';
import { decodeFrame, readDicomBytes, readInputs, transcodeToNative } from '../../src/ingest';
import { createServices, type Services } from '../../src/service/services';
import { createSliceUpscaler } from '../../src/service/upscale-slice';
import { startStoreScp, type StoreScp, until } from '../dimse/helpers/dcmtk';
import { createReplicatingProcessor, MR_SERIES_DIR } from '../service/helpers/replicating-processor';
import { tempDir } from '../service/helpers/service-fixture';
import { LOOPBACK_HOSTS } from '../../src/shared/config';

const seriesFiles = fs.readdirSync(MR_SERIES_DIR).sort().map((f) => path.join(MR_SERIES_DIR, f));

describe('STOW-RS with MEDSR_AUTOROUTE', () => {
  let pacs: StoreScp;
  let services: Services;
  let server: Server;
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await services?.close();
    await pacs?.close();
  });

  it('routes the derived series of a STOW-RS series to the destination', async () => {
    pacs = await startStoreScp('PACS', tempDir('medsr-pacs-'));
    const processor = createReplicatingProcessor();
    services = createServices({
      dataDir: tempDir(),
      readInputs: (p) => readInputs(p),
      readDicomBytes,
      processor,
      maxQueue: 8,
      autoroute: { destination: { aeTitle: 'PACS', host: '127.0.0.1', port: pacs.port }, scale: 2, idleMs: 1000, attempts: 2, backoffMs: 50, send: createStoreScu('MEDSR', 5000) },
    });
    await services.start();
    const app = createApp({
      config: { apiKey: undefined, corsOrigin: undefined, allowedHosts: LOOPBACK_HOSTS, sessionHours: 12, maxUploadBytes: 50 * 2 ** 20, maxUploadFiles: 100, maxQueue: 8 },
      catalog: services.catalog, jobs: services.jobs, queue: services.queue, storage: services.storage, index: services.index, lifecycle: services.lifecycle,
      upscaleSlice: createSliceUpscaler(processor), readDicomBytes, decodeFrame, transcodeToNative, modelStatus: () => ({ ready: true }), syncConcurrency: 1, events: services.events,
    });
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const boundary = 'stow-autoroute';
    const body = Buffer.concat([...seriesFiles.flatMap((f) => [Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), fs.readFileSync(f), Buffer.from('\r\n')]), Buffer.from(`--${boundary}--\r\n`)]);
    const res = await fetch(`${url}/dicomweb/studies`, { method: 'POST', body: new Uint8Array(body), headers: { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` } });
    expect(res.status).toBe(200);

    const job = await until(async () => (await services.store.list()).find((j) => j.route?.state === 'sent' || j.route?.state === 'failed'), 30_000, 'the routed job');
    expect(job.route).toMatchObject({ state: 'sent', sentInstances: seriesFiles.length });
    await until(() => (pacs.files().length === seriesFiles.length ? true : undefined), 10_000, 'the derived files at storescp');
  });
});
