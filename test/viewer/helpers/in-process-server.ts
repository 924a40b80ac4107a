import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as path from 'node:path';
// dcmjs ships no types
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dcmjs = require('dcmjs');
import { createApp } from '../../../src/api/app';
import type { SliceProcessor } from '../../../src/service/ports';
import { createReplicatingProcessor, decodeFrame, readDicomBytes } from '../../service/helpers/mini-ingest';
import { createEngine, tempDir } from '../../service/helpers/service-fixture';

/**
 * The real API (src/api createApp over the real job engine, storage and catalog) on loopback,
 * serving the built dist/viewer, for as long as `medsr serve` cannot run here: the CLI command
 * and the real ingest/pipeline land on other branches. Its slice processor is the service
 * tests' pixel-replicating one; the uncertainty it writes is made non-trivial here (local
 * gradient magnitude of the replicated image) so the overlay has something to draw.
 */
const VIEWER_DIR = path.resolve(__dirname, '../../../dist/viewer');

export async function startInProcessServer(options: { sliceDelayMs?: number } = {}): Promise<{ url: string; stop(): Promise<void> }> {
  const processor = withEdgeUncertainty(createReplicatingProcessor({ delayMs: options.sliceDelayMs ?? 400 }));
  const dataDir = tempDir('medsr-viewer-data-');
  const engine = createEngine(dataDir, processor);
  const app = createApp({
    config: { apiKey: undefined, corsOrigin: undefined, maxUploadBytes: 512 * 1024 * 1024, maxUploadFiles: 2000, maxQueue: 8 },
    catalog: engine.catalog, jobs: engine.jobs, queue: engine.queue, storage: engine.storage, processor,
    readDicomBytes, decodeFrame, syncConcurrency: 1, events: engine.events, viewerDir: VIEWER_DIR,
    modelStatus: () => ({ ready: true, provider: 'cpu', model: 'replicating-test-processor' }),
  });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await engine.queue.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function withEdgeUncertainty(inner: SliceProcessor): SliceProcessor {
  return async (instance, request) => {
    const out = await inner(instance, request);
    if (!out.uncertainty) return out;
    const derived = dcmjs.data.DicomMessage.readFile(out.derived.slice().buffer);
    const d = dcmjs.data.DicomMetaDictionary.naturalizeDataset(derived.dict);
    const message = dcmjs.data.DicomMessage.readFile(out.uncertainty.slice().buffer);
    const u = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
    const rows: number = d.Rows;
    const cols: number = d.Columns;
    const src = d.PixelRepresentation === 1 ? new Int16Array(d.PixelData[0]) : new Uint16Array(d.PixelData[0]);
    const std = new (src.constructor as Int16ArrayConstructor)(rows * cols);
    for (let y = 1; y < rows - 1; y++) {
      for (let x = 1; x < cols - 1; x++) {
        const gx = (src[y * cols + x + 1] as number) - (src[y * cols + x - 1] as number);
        const gy = (src[(y + 1) * cols + x] as number) - (src[(y - 1) * cols + x] as number);
        std[y * cols + x] = Math.min(32767, Math.round(Math.hypot(gx, gy) / 4));
      }
    }
    u.PixelData = [std.buffer];
    // a std is in modality units from zero: no CT intercept on it
    u.RescaleIntercept = 0;
    u.RescaleSlope = 1;
    message.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(u);
    return { ...out, uncertainty: new Uint8Array(message.write()) };
  };
}
