import express, { Router, type Request, type Response } from 'express';
import { MedsrError } from '../../shared/errors';
import type { ApiContext } from '../context';
import { consistentOptions, definedOnly, parse } from '../context';
import { UpscaleOptionsSchema } from '../schemas';

/** One slice can be large (multi-frame, 4k x 4k 16-bit) but never as large as an upload. */
const MAX_SLICE_BYTES = 256 * 1024 * 1024;

/** Aborts when the client goes away before its answer is sent (closed tab, killed curl, timeout). */
function abortOnClientGone(res: Response): AbortSignal {
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  return abort.signal;
}

function readBody(limit: number): (req: Request, res: Response) => Promise<Uint8Array> {
  const raw = express.raw({ type: () => true, limit });
  return async (req, res) => {
    await new Promise<void>((resolve, reject) => raw(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    const body = req.body as Buffer;
    if (!Buffer.isBuffer(body) || body.length === 0) throw new MedsrError('invalid_input', 'upscale.empty', 'the request body is empty');
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  };
}

/**
 * POST /api/v1/upscale: one DICOM slice in, its derived DICOM (or a 16-bit PNG) out. Parses the
 * request, bounds concurrency, calls the one-slice use case (service/upscale-slice.ts) and shapes
 * the answer; a client that goes away cancels the work.
 */
export function upscaleRouter(ctx: ApiContext): Router {
  const router = Router();
  const body = readBody(Math.min(MAX_SLICE_BYTES, ctx.config.maxUploadBytes));

  router.post('/upscale', async (req, res) => {
    const options = consistentOptions(definedOnly(parse(UpscaleOptionsSchema, req.query, 'query')), 'query');
    if (!(req.headers['content-type'] ?? '').startsWith('application/dicom')) {
      throw new MedsrError('unsupported', 'upscale.content_type', 'send one DICOM file with Content-Type: application/dicom');
    }
    const format = req.accepts(['application/dicom', 'image/png']) === 'image/png' ? 'png' : 'dicom';
    // listening before the admission wait: a client that leaves while queued is not worked for
    const signal = abortOnClientGone(res);
    // admission before the body is read: a refused request costs no memory
    ctx.metrics.syncWaiting.set(ctx.admission.waiting + 1);
    const release = await ctx.admission.acquire().finally(() => ctx.metrics.syncWaiting.set(ctx.admission.waiting));
    ctx.metrics.syncInFlight.inc();
    const started = performance.now();
    const observe = (outcome: 'done' | 'failed' | 'cancelled'): void => ctx.metrics.sliceDuration.observe({ source: 'sync', outcome }, (performance.now() - started) / 1000);
    try {
      const answer = await ctx.upscaleSlice(await body(req, res), options, { format, signal });
      observe('done');
      // the degradation the pipeline assumed (auto: the detector's pick), also in DerivationDescription
      if (answer.degradation) res.setHeader('X-Medsr-Degradation', answer.degradation);
      if (answer.format === 'png') {
        res.setHeader('X-Medsr-Value-Offset', String(answer.valueOffset));
        res.setHeader('X-Medsr-Rescale', `${answer.rescaleSlope} ${answer.rescaleIntercept}`);
        res.type('image/png').send(answer.body);
      } else {
        res.setHeader('Content-Disposition', `attachment; filename="derived.dcm"`);
        res.type('application/dicom').send(Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength));
      }
    } catch (err) {
      observe(err instanceof MedsrError && err.kind === 'cancelled' ? 'cancelled' : 'failed');
      throw err;
    } finally {
      ctx.metrics.syncInFlight.dec();
      release();
    }
  });
  return router;
}
