import { Router } from 'express';
import { FINAL_STATES } from '../../service/jobs/job-model';
import { zipStoredFiles } from '../../service/result-zip';
import { upscaleOptionCatalog } from '../../shared/upscale-options';
import type { ApiContext } from '../context';
import { consistentOptions, definedOnly, noQuery, parse } from '../context';
import { CreateJobSchema, JobParams, JobResultParams } from '../schemas';
import { jobResponse } from '../job-response';
import { sendPreview } from './studies-router';

/** Jobs over stored series: create, watch (JSON or SSE), cancel, fetch results. */
export function jobsRouter(ctx: ApiContext): Router {
  const router = Router();
  const base = '/api/v1/jobs';

  // the defaults, limits and choices the CLI and API apply, for clients that offer them (the viewer's job form)
  router.get('/options', noQuery, (_req, res) => {
    res.json(upscaleOptionCatalog());
  });

  router.post('/jobs', noQuery, async (req, res) => {
    const body = parse(CreateJobSchema, req.body, 'body');
    const request = { studyInstanceUID: body.studyInstanceUID, options: consistentOptions(definedOnly(body.options), 'body.options'), ...(body.seriesInstanceUIDs ? { seriesInstanceUIDs: body.seriesInstanceUIDs } : {}) };
    const job = await ctx.jobs.create(request);
    res.status(202).location(`${base}/${job.id}`).json(jobResponse(job));
  });

  router.get('/jobs', noQuery, async (_req, res) => {
    res.json({ jobs: (await ctx.jobs.list()).map(jobResponse) });
  });

  router.get('/jobs/:id', noQuery, async (req, res) => {
    res.json(jobResponse(await ctx.jobs.get(parse(JobParams, req.params, 'params').id)));
  });

  router.delete('/jobs/:id', noQuery, async (req, res) => {
    res.status(202).json(jobResponse(await ctx.jobs.cancel(parse(JobParams, req.params, 'params').id)));
  });

  // Server-sent events: one `progress` event per update, a final `end` event, then close.
  router.get('/jobs/:id/events', noQuery, async (req, res) => {
    const { id } = parse(JobParams, req.params, 'params');
    await ctx.jobs.get(id); // 404 before the stream starts
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const stop = ctx.jobs.watch(id, (job) => {
      const { slices: _omit, ...summary } = jobResponse(job);
      res.write(`event: progress\ndata: ${JSON.stringify(summary)}\n\n`);
      if (FINAL_STATES.has(job.state)) {
        res.write(`event: end\ndata: ${JSON.stringify({ state: job.state })}\n\n`);
        close();
      }
    });
    function close(): void {
      clearInterval(keepAlive);
      stop();
      res.end();
    }
    req.on('close', close);
  });

  router.get('/jobs/:id/results', noQuery, async (req, res) => {
    const { id } = parse(JobParams, req.params, 'params');
    const series = await ctx.jobs.results(id);
    res.json({
      jobId: id,
      series: series.map((s) => ({
        kind: s.kind,
        sourceSeriesInstanceUID: s.sourceSeriesInstanceUID,
        seriesInstanceUID: s.seriesInstanceUID,
        instances: s.instances.map((i) => ({ ...i, url: `${base}/${id}/results/${s.seriesInstanceUID}/${i.sopInstanceUID}` })),
      })),
    });
  });

  router.get('/jobs/:id/results.zip', noQuery, async (req, res) => {
    const { id } = parse(JobParams, req.params, 'params');
    const files = await ctx.jobs.resultFiles(id);
    res.type('application/zip').setHeader('Content-Disposition', `attachment; filename="medsr-${id}.zip"`);
    const zip = zipStoredFiles(ctx.storage, files);
    zip.on('error', (err) => res.destroy(err));
    zip.pipe(res);
  });

  router.get('/jobs/:id/results/:seriesUID/:sopUID', noQuery, async (req, res) => {
    const p = parse(JobResultParams, req.params, 'params');
    res.type('application/dicom').send(await ctx.storage.get(await ctx.jobs.resultKey(p.id, p.seriesUID, p.sopUID)));
  });

  router.get('/jobs/:id/results/:seriesUID/:sopUID/preview.png', noQuery, async (req, res) => {
    const p = parse(JobResultParams, req.params, 'params');
    await sendPreview(ctx, res, await ctx.storage.get(await ctx.jobs.resultKey(p.id, p.seriesUID, p.sopUID)));
  });

  return router;
}
