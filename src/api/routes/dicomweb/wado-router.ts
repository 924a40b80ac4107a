import { Router, type Request, type Response } from 'express';
import { renderedQuery, retrieveQuery } from './query-params';
import { z } from 'zod';
import type { DecodedFrame, DicomInstance } from '../../../ingest';
import type { IndexedInstance, InstanceScope } from '../../../service/instance-index';
import { previewPng } from '../../../service/png';
import { MedsrError } from '../../../shared/errors';
import type { ApiContext } from '../../context';
import { parse } from '../../context';
import { InstanceParams, SeriesParams, StudyParams } from '../../schemas';
import { sendMultipart } from './multipart';

const FrameList = z.string().regex(/^\d{1,6}(,\d{1,6}){0,999}$/, 'a comma-separated list of frame numbers from 1');
/** The path parameters of the /frames/{frames} resources (params schemas are strict: each route parses all of its own). */
const FrameParams = InstanceParams.extend({ frames: FrameList });

/** One frame's stored values as native little-endian bytes (what the data set would hold uncompressed). */
function nativeFrame(frame: DecodedFrame, instance: DicomInstance): Buffer {
  const { bitsAllocated, pixelRepresentation } = instance.pixel;
  const n = frame.stored.length;
  if (bitsAllocated === 8) return Buffer.from(Uint8Array.from(frame.stored));
  if (bitsAllocated === 16) {
    const out = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++) {
      const v = frame.stored[i] as number;
      if (pixelRepresentation === 1) out.writeInt16LE(v, i * 2);
      else out.writeUInt16LE(v, i * 2);
    }
    return out;
  }
  if (bitsAllocated === 32) {
    const out = Buffer.alloc(n * 4);
    for (let i = 0; i < n; i++) {
      const v = frame.stored[i] as number;
      if (pixelRepresentation === 1) out.writeInt32LE(v, i * 4);
      else out.writeUInt32LE(v, i * 4);
    }
    return out;
  }
  throw new MedsrError('unsupported', 'wado.bits', `frames of ${bitsAllocated}-bit pixels cannot be sent uncompressed`);
}

/** WADO-RS: studies, series, instances (bytes as stored), metadata, frames and rendered PNGs. */
export function wadoRouter(ctx: ApiContext): Router {
  const router = Router();
  const scopes = {
    study: (req: Request): InstanceScope => ({ studyInstanceUID: parse(StudyParams, req.params, 'params').studyUID }),
    series: (req: Request): InstanceScope => {
      const p = parse(SeriesParams, req.params, 'params');
      return { studyInstanceUID: p.studyUID, seriesInstanceUID: p.seriesUID };
    },
    instance: (req: Request): InstanceScope => {
      const p = parse('frames' in req.params ? FrameParams : InstanceParams, req.params, 'params');
      return { studyInstanceUID: p.studyUID, seriesInstanceUID: p.seriesUID, sopInstanceUID: p.sopUID };
    },
  };
  type Level = keyof typeof scopes;
  const found = (req: Request, level: Level): Promise<IndexedInstance[]> => ctx.index.require(scopes[level](req), level);

  async function* instanceParts(instances: IndexedInstance[]): AsyncIterable<{ body: Buffer; contentType: string }> {
    for (const i of instances) yield { body: await ctx.index.bytes(i), contentType: 'application/dicom' };
  }
  const retrieve = (level: Level) => async (req: Request, res: Response) => {
    const instances = await found(req, level);
    await sendMultipart(res, 'application/dicom', instanceParts(instances), '; transfer-syntax=*');
  };
  const metadata = (level: Level) => async (req: Request, res: Response) => {
    const instances = await found(req, level);
    const records = [];
    for (const i of instances) records.push(await ctx.index.metadata(i));
    res.status(200).type('application/dicom+json').send(JSON.stringify(records));
  };
  const loadOne = async (req: Request): Promise<DicomInstance> => {
    const [indexed] = await found(req, 'instance');
    const bytes = await ctx.index.bytes(indexed as IndexedInstance);
    return ctx.readDicomBytes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { path: 'stored', label: 'stored instance' });
  };
  const frameNumbers = (req: Request, instance: DicomInstance): number[] => {
    const frames = parse(FrameParams, req.params, 'params').frames.split(',').map(Number);
    const bad = frames.find((f) => f < 1 || f > instance.pixel.frames);
    if (bad !== undefined) throw new MedsrError('not_found', 'wado.frame', `frame ${bad} is outside 1..${instance.pixel.frames}`);
    return frames;
  };
  const rendered = (pickFrame: (req: Request, instance: DicomInstance) => number) => async (req: Request, res: Response) => {
    const instance = await loadOne(req);
    const frame = await ctx.decodeFrame(instance, pickFrame(req, instance));
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.type('image/png').send(previewPng(frame, instance.pixel));
  };

  router.get('/studies/:studyUID', retrieveQuery, retrieve('study'));
  router.get('/studies/:studyUID/series/:seriesUID', retrieveQuery, retrieve('series'));
  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID', retrieveQuery, retrieve('instance'));
  router.get('/studies/:studyUID/metadata', retrieveQuery, metadata('study'));
  router.get('/studies/:studyUID/series/:seriesUID/metadata', retrieveQuery, metadata('series'));
  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID/metadata', retrieveQuery, metadata('instance'));
  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID/frames/:frames', retrieveQuery, async (req, res) => {
    const instance = await loadOne(req);
    const numbers = frameNumbers(req, instance);
    async function* parts(): AsyncIterable<{ body: Buffer; contentType: string }> {
      for (const n of numbers) yield { body: nativeFrame(await ctx.decodeFrame(instance, n - 1), instance), contentType: 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1' };
    }
    await sendMultipart(res, 'application/octet-stream', parts());
  });
  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID/rendered', renderedQuery, rendered(() => 0));
  router.get('/studies/:studyUID/series/:seriesUID/instances/:sopUID/frames/:frames/rendered', renderedQuery, rendered((req, i) => (frameNumbers(req, i)[0] as number) - 1));
  return router;
}
