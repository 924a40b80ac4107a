import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** One slice through the model, synchronous request or job. */
  sliceDuration: Histogram<'source' | 'outcome'>;
  errors: Counter<'code'>;
  syncInFlight: Gauge;
  syncWaiting: Gauge;
  middleware: RequestHandler;
}

/** A registry per app (not prom-client's global one) so several apps can live in one process. */
export function createMetrics(queueDepth: () => Promise<number>, diskUsage?: () => Promise<Record<string, number>>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'medsr_' });
  const httpDuration = new Histogram({
    name: 'medsr_http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.02, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const sliceDuration = new Histogram({
    name: 'medsr_inference_duration_seconds',
    help: 'Time to upscale one slice (decode, model, write-back)',
    labelNames: ['source', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const errors = new Counter({ name: 'medsr_errors_total', help: 'Requests answered with an error, by code', labelNames: ['code'] as const, registers: [registry] });
  const syncInFlight = new Gauge({ name: 'medsr_sync_upscale_in_flight', help: 'Synchronous upscales running', registers: [registry] });
  const syncWaiting = new Gauge({ name: 'medsr_sync_upscale_waiting', help: 'Synchronous upscales waiting for a slot', registers: [registry] });
  new Gauge({
    name: 'medsr_job_queue_depth',
    help: 'Jobs waiting or running',
    registers: [registry],
    async collect() {
      this.set(await queueDepth().catch(() => -1));
    },
  });
  if (diskUsage) {
    new Gauge({
      name: 'medsr_storage_bytes',
      help: 'Bytes stored under the data directory, by area (studies: originals, results: derived series, jobs: job state)',
      labelNames: ['area'] as const,
      registers: [registry],
      async collect() {
        const usage = await diskUsage().catch(() => ({}) as Record<string, number>);
        for (const [area, bytes] of Object.entries(usage)) this.set({ area }, bytes);
      },
    });
  }
  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      // the matched route pattern, not the raw path: UIDs in paths would explode label cardinality
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, httpDuration, sliceDuration, errors, syncInFlight, syncWaiting, middleware };
}
