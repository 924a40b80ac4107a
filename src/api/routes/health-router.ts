import { Router } from 'express';
import type { ApiContext } from '../context';

/** Liveness, readiness and metrics: open even when an API key is set. */
export function healthRouter(ctx: ApiContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const model = ctx.modelStatus();
    const body = { status: model.ready ? 'ok' : 'not_ready', queue: ctx.queue.kind, ...(model.model ? { model: model.model } : {}), ...(model.provider ? { provider: model.provider } : {}) };
    res.status(model.ready ? 200 : 503).json(body);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });
  return router;
}
