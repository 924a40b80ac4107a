import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../../src/api/app';
import { LOOPBACK_HOSTS } from '../../../src/shared/config';
import type { ApiDeps } from '../../../src/api/context';
import type { SliceProcessor } from '../../../src/service/ports';
import { decodeFrame, readDicomBytes, transcodeToNative } from '../../../src/ingest';
import { createSliceUpscaler } from '../../../src/service/upscale-slice';
import { createReplicatingProcessor } from '../../service/helpers/replicating-processor';
import { createEngine, tempDir } from '../../service/helpers/service-fixture';

export interface TestServer {
  url: string;
  engine: ReturnType<typeof createEngine>;
  close(): Promise<void>;
}

/** A real HTTP server on loopback over the real engine, real files and the replicating processor. */
export async function startTestServer(overrides: { config?: Partial<ApiDeps['config']>; processor?: SliceProcessor; syncConcurrency?: number; ready?: boolean; viewerDir?: string; now?: () => number } = {}): Promise<TestServer> {
  const processor = overrides.processor ?? createReplicatingProcessor();
  const engine = createEngine(tempDir(), processor);
  const app = createApp({
    config: {
      apiKey: undefined,
      corsOrigin: undefined,
      maxUploadBytes: 50 * 1024 * 1024,
      maxUploadFiles: 100,
      maxQueue: 8,
      ...overrides.config,
      allowedHosts: overrides.config?.allowedHosts ?? LOOPBACK_HOSTS,
      sessionHours: overrides.config?.sessionHours ?? 12,
    },
    catalog: engine.catalog,
    jobs: engine.jobs,
    queue: engine.queue,
    storage: engine.storage,
    index: engine.index,
    lifecycle: engine.lifecycle,
    upscaleSlice: createSliceUpscaler(processor),
    readDicomBytes,
    decodeFrame,
    transcodeToNative,
    modelStatus: () => ({ ready: overrides.ready ?? true, provider: 'cpu', model: 'replicating-test-processor' }),
    syncConcurrency: overrides.syncConcurrency ?? 2,
    events: engine.events,
    ...(overrides.viewerDir ? { viewerDir: overrides.viewerDir } : {}),
    ...(overrides.now ? { now: overrides.now } : {}),
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    close: async () => {
      await engine.queue.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
