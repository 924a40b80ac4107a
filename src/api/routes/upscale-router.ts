import express, { Router } from 'express';
import { storedValuesPng } from '../../service/png';
import { MedsrError } from '../../shared/errors';
import type { ApiContext } from '../context';
import { definedOnly, parse } from '../context';
import { UpscaleOptionsSchema } from '../schemas';

/** One slice can be large (multi-frame, 4k x 4k 16-bit) but never as large as an upload. */
const MAX_SLICE_BYTES = 256 * 1024 * 1024;

/** POST /api/v1/upscale: one DICOM slice in, its derived DICOM (or a 16-bit PNG) out. */
export function upscaleRouter(ctx: ApiContext): Router {
  const router = Router();
  const readBody = express.raw({ type: () => true, limit: Math.min(MAX_SLICE_BYTES, ctx.config.maxUploadBytes) });

  router.post('/upscale', async (req, res) => {
    const options = definedOnly(parse(UpscaleOptionsSchema, req.query, 'query'));
    if (!(req.headers['content-type'] ?? '').startsWith('application/dicom')) {
      throw new MedsrError('unsupported', 'upscale.content_type', 'send one DICOM file with Content-Type: application/dicom');
    }
    const wantsPng = req.accepts(['application/dicom', 'image/png']) === 'image/png';
    // admission before the body is read: a refused request costs no memory
    ctx.metrics.syncWaiting.set(ctx.admission.waiting + 1);
    const release = await ctx.admission.acquire().finally(() => ctx.metrics.syncWaiting.set(ctx.admission.waiting));
    ctx.metrics.syncInFlight.inc();
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(); // client went away: stop working for it
    });
    const started = performance.now();
    try {
      await new Promise<void>((resolve, reject) => readBody(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
      const body = req.body as Buffer;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new MedsrError('invalid_input', 'upscale.empty', 'the request body is empty');
      const instance = ctx.readDicomBytes(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), { path: 'request', label: 'request body' });
      const output = await ctx.processor(instance, { options, signal: abort.signal });
      ctx.metrics.sliceDuration.observe({ source: 'sync', outcome: 'done' }, (performance.now() - started) / 1000);
      // the degradation the pipeline assumed (auto: the detector's pick), also in DerivationDescription
      if (output.degradation) res.setHeader('X-Medsr-Degradation', output.degradation);
      if (wantsPng) {
        const derived = ctx.readDicomBytes(output.derived, { path: 'derived', label: 'derived' });
        const frame = await ctx.decodeFrame(derived, 0);
        const { png, valueOffset } = storedValuesPng(frame, derived.pixel);
        res.setHeader('X-Medsr-Value-Offset', String(valueOffset));
        res.setHeader('X-Medsr-Rescale', `${derived.pixel.rescaleSlope} ${derived.pixel.rescaleIntercept}`);
        res.type('image/png').send(png);
      } else {
        res.setHeader('Content-Disposition', `attachment; filename="derived.dcm"`);
        res.type('application/dicom').send(Buffer.from(output.derived.buffer, output.derived.byteOffset, output.derived.byteLength));
      }
    } catch (err) {
      ctx.metrics.sliceDuration.observe({ source: 'sync', outcome: 'failed' }, (performance.now() - started) / 1000);
      throw err;
    } finally {
      ctx.metrics.syncInFlight.dec();
      release();
    }
  });
  return router;
}
