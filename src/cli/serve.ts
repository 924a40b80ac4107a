import path from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../api/app';
import { apiDepsOf } from '../api/context';
import type { ApiMetrics } from '../api/metrics';
import { startDimseServer, type DimseServer } from '../dimse/dimse-server';
import { createStoreScu } from '../dimse/store-scu';
import { parseDicomNode } from '../service/autoroute/destination';
import { createComposition } from '../service/composition';
import { REPO_ROOT, getConfig } from '../shared/config';
import { logger } from '../shared/logger';
import { deviceFlag, intOption, type DeviceName } from './options';

interface ServeFlags {
  port?: number;
  host?: string;
  dataDir?: string;
  model?: string;
  device?: DeviceName;
  workers?: number;
  viewer?: string;
}

/** `medsr serve`: the REST API and viewer on the embedded queue (or Redis when REDIS_URL is set). */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the REST API and the viewer (jobs in-process, or on Redis when REDIS_URL is set)')
    .option('--port <port>', 'port to listen on (MEDSR_PORT, default 8080)', intOption(0, 65535))
    .option('--host <host>', 'address to bind (MEDSR_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'where studies, results and job state live (MEDSR_DATA_DIR)')
    .option('--model <dir>', 'model directory holding model_index.json (MEDSR_MODEL_DIR)')
    .addOption(deviceFlag())
    .option('--workers <n>', 'inference worker threads (MEDSR_INFERENCE_WORKERS)', intOption(1, 64))
    .option('--viewer <dir>', 'viewer bundle to serve at / (default dist/viewer)')
    .action(async (flags: ServeFlags) => {
      await serve(flags);
    });
}

export async function serve(flags: ServeFlags): Promise<void> {
  const config = getConfig();
  const log = logger().child({ component: 'serve' });
  const settings = {
    port: flags.port ?? config.port,
    host: flags.host ?? config.host,
    dataDir: path.resolve(flags.dataDir ?? config.dataDir),
    workers: flags.workers ?? config.inferenceWorkers,
  };
  const root = createComposition({
    modelDir: path.resolve(flags.model ?? config.modelDir),
    device: flags.device ?? config.device,
    workers: settings.workers,
    intraOpThreads: config.intraOpThreads,
    // uploads: the archives of one upload together, checked before any entry is inflated
    readLimits: { maxArchiveBytes: config.maxUploadInflatedBytes, maxArchiveEntries: config.maxUploadEntries },
  });
  const { runtime } = root;
  let metrics: ApiMetrics | undefined;
  const services = root.createServices({
    dataDir: settings.dataDir,
    redisUrl: config.redisUrl,
    maxQueue: config.maxQueue,
    sliceConcurrency: settings.workers,
    onSlice: (outcome, seconds) => metrics?.sliceDuration.observe({ source: 'job', outcome }, seconds),
    retentionDays: config.retentionDays,
    ...(config.autoroute
      ? {
          autoroute: {
            destination: parseDicomNode(config.autoroute),
            scale: config.autorouteScale,
            samples: config.autorouteSamples,
            idleMs: config.seriesIdleSeconds * 1000,
            attempts: config.autorouteRetries,
            backoffMs: config.autorouteBackoffSeconds * 1000,
            send: createStoreScu(config.aeTitle),
          },
        }
      : {}),
  });
  const app = createApp(apiDepsOf(runtime, services, {
    config: { ...config, allowedHosts: allowedHostsFor(config.allowedHosts, settings.host) },
    syncConcurrency: settings.workers,
    viewerDir: path.resolve(flags.viewer ?? path.join(REPO_ROOT, 'dist', 'viewer')),
  }));
  metrics = app.locals.metrics as ApiMetrics;
  // embedded jobs wait for the model; the API answers (healthz, uploads) meanwhile
  void runtime.ready.then(() => services.start(), () => undefined);

  const server = app.listen(settings.port, settings.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  root.onShutdown(() => {
    server.close();
    server.closeIdleConnections();
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  log.info({ url: `http://${settings.host}:${port}`, dataDir: settings.dataDir, queue: services.queue.kind }, 'medsr listening');
  let dimse: DimseServer | undefined;
  if (config.dimsePort !== undefined) {
    dimse = await startDimseServer({ port: config.dimsePort, aeTitle: config.aeTitle, lifecycle: services.lifecycle, index: services.index });
    root.onShutdown(() => dimse?.close());
    log.info({ dimsePort: dimse.port, aeTitle: config.aeTitle, autoroute: config.autoroute ?? 'off' }, 'DIMSE listening');
  }

  // one shutdown path (service/composition.ts): HTTP, DIMSE, then the services and the runtime
  root.exitOnSignals(log, 'shutting down: running jobs stop at their next denoising step and resume on restart');
}

/**
 * The host names answered without an API key: the configured ones, plus the address serve was
 * told to listen on when that is one address (--host 192.168.1.5), not a wildcard.
 */
export function allowedHostsFor(configured: readonly string[], listenHost: string): string[] {
  const host = listenHost.trim().toLowerCase();
  const wildcard = host === '' || host === '0.0.0.0' || host === '::' || host === '[::]';
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return [...new Set([...configured, ...(wildcard ? [] : [name])])];
}
