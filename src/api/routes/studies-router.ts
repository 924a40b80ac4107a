import path from 'node:path';
import { Router, type Response } from 'express';
import { previewPng } from '../../service/png';
import type { ApiContext } from '../context';
import { noQuery, parse } from '../context';
import { InstanceParams, SeriesParams, StudyParams } from '../schemas';
import { receiveUpload } from '../upload';

/** Uploads, listings, and stored instances (DICOM and PNG previews) for the viewer. */
export function studiesRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post('/studies', noQuery, async (req, res) => {
    const upload = await receiveUpload(req, { maxBytes: ctx.config.maxUploadBytes, maxFiles: ctx.config.maxUploadFiles });
    try {
      // report names as the client sent them (`scan.zip!IM0001`), never our temp paths
      const label = (l: string): string => {
        for (const [file, name] of upload.names) if (l.startsWith(file)) return name + l.slice(file.length);
        return path.basename(l);
      };
      const report = await ctx.catalog.ingest([...upload.names.keys()], label);
      res.status(report.instancesStored > 0 ? 201 : 422).json(report);
    } finally {
      await upload.cleanup();
    }
  });

  router.get('/studies', noQuery, async (_req, res) => {
    res.json({ studies: await ctx.catalog.listStudies() });
  });

  router.get('/studies/:studyUID', noQuery, async (req, res) => {
    const { studyUID } = parse(StudyParams, req.params, 'params');
    res.json(await ctx.catalog.getStudy(studyUID));
  });

  // removes originals, jobs and results: how a hospital takes patient data off the server
  router.delete('/studies/:studyUID', noQuery, async (req, res) => {
    const { studyUID } = parse(StudyParams, req.params, 'params');
    res.json({ studyInstanceUID: studyUID, deleted: true, ...(await ctx.lifecycle.deleteStudy(studyUID)) });
  });

  router.get('/studies/:studyUID/series/:seriesUID', noQuery, async (req, res) => {
    const p = parse(SeriesParams, req.params, 'params');
    res.json(await ctx.catalog.getSeries(p.studyUID, p.seriesUID));
  });

  router.get('/studies/:studyUID/series/:seriesUID/thumbnail.png', noQuery, async (req, res) => {
    const p = parse(SeriesParams, req.params, 'params');
    const series = await ctx.catalog.getSeries(p.studyUID, p.seriesUID);
    const middle = series.instances[Math.floor(series.instances.length / 2)];
    await sendPreview(ctx, res, await ctx.catalog.instanceBytes(p.studyUID, p.seriesUID, (middle ?? series.instances[0])!.sopInstanceUID));
  });

  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID', noQuery, async (req, res) => {
    const p = parse(InstanceParams, req.params, 'params');
    const bytes = await ctx.catalog.instanceBytes(p.studyUID, p.seriesUID, p.sopUID);
    res.type('application/dicom').send(bytes);
  });

  // for clients that cannot decode compressed pixels (the viewer): same instance, uncompressed
  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID/native', noQuery, async (req, res) => {
    const p = parse(InstanceParams, req.params, 'params');
    const bytes = await ctx.catalog.instanceBytes(p.studyUID, p.seriesUID, p.sopUID);
    const instance = ctx.readDicomBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { path: 'stored', label: 'stored instance' });
    res.type('application/dicom').send(Buffer.from(await ctx.transcodeToNative(instance)));
  });

  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID/preview.png', noQuery, async (req, res) => {
    const p = parse(InstanceParams, req.params, 'params');
    await sendPreview(ctx, res, await ctx.catalog.instanceBytes(p.studyUID, p.seriesUID, p.sopUID));
  });

  return router;
}

/** Renders the first frame of stored DICOM bytes as a windowed 16-bit PNG. */
export async function sendPreview(ctx: ApiContext, res: Response, bytes: Buffer): Promise<void> {
  const instance = ctx.readDicomBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { path: 'stored', label: 'stored instance' });
  const frame = await ctx.decodeFrame(instance, Math.floor(instance.pixel.frames / 2));
  res.setHeader('Cache-Control', 'private, max-age=3600');
  res.type('image/png').send(previewPng(frame, instance.pixel));
}
