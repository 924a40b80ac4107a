import { Router, type Request } from 'express';
import { noDicomwebQuery } from './query-params';
import type { DicomJson } from '../../../service/dicom-query';
import { MedsrError, toMedsrError } from '../../../shared/errors';
import type { ApiContext } from '../../context';
import { parse } from '../../context';
import { StudyParams } from '../../schemas';
import { parseMultipart, readBody } from './multipart';

/** PS3.18 failure reasons: 0xA900 data set does not match, 0xC000 cannot understand, 0x0110 processing failure. */
const REASON = { mismatch: 0xa900, invalid: 0xc000, failure: 0x0110 };

/** STOW-RS: multipart/related; type="application/dicom", stored like any received instance. */
export function stowRouter(ctx: ApiContext): Router {
  const router = Router();
  const store = async (req: Request, onlyStudy: string | undefined, base: string): Promise<{ status: number; body: DicomJson }> => {
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/related/i.test(contentType) || !/type="?application\/dicom"?/i.test(contentType)) {
      throw new MedsrError('unsupported', 'stow.content_type', 'STOW-RS takes multipart/related; type="application/dicom" (DICOM JSON and bulk data uploads are not supported)');
    }
    const parts = parseMultipart(await readBody(req, ctx.config.maxUploadBytes), contentType);
    if (parts.length > ctx.config.maxUploadFiles) throw new MedsrError('too_large', 'stow.too_many', `more than ${ctx.config.maxUploadFiles} instances`);
    const stored: DicomJson[] = [];
    const failed: DicomJson[] = [];
    for (const [i, part] of parts.entries()) {
      const type = part.headers['content-type'];
      if (type && !/^application\/dicom\b/i.test(type)) {
        failed.push({ '00081197': { vr: 'US', Value: [REASON.invalid] } });
        continue;
      }
      try {
        const bytes = new Uint8Array(part.body.buffer, part.body.byteOffset, part.body.byteLength);
        const probe = ctx.readDicomBytes(bytes, { path: `part ${i + 1}`, label: `part ${i + 1}` });
        if (onlyStudy && probe.studyInstanceUID !== onlyStudy) {
          failed.push({ '00081150': { vr: 'UI', Value: [probe.sopClassUID] }, '00081155': { vr: 'UI', Value: [probe.sopInstanceUID] }, '00081197': { vr: 'US', Value: [REASON.mismatch] } });
          continue;
        }
        const s = await ctx.lifecycle.receive(bytes, `STOW-RS part ${i + 1}`);
        stored.push({
          '00081150': { vr: 'UI', Value: [probe.sopClassUID] },
          '00081155': { vr: 'UI', Value: [s.sopInstanceUID] },
          '00081190': { vr: 'UR', Value: [`${base}/studies/${s.studyInstanceUID}/series/${s.seriesInstanceUID}/instances/${s.sopInstanceUID}`] },
        });
      } catch (err) {
        const e = toMedsrError(err);
        ctx.log.warn({ code: e.code, err: e.message }, 'STOW-RS part refused');
        failed.push({ '00081197': { vr: 'US', Value: [e.kind === 'internal' ? REASON.failure : REASON.invalid] } });
      }
    }
    const body: DicomJson = { '00081190': { vr: 'UR', Value: [onlyStudy ? `${base}/studies/${onlyStudy}` : `${base}/studies`] } };
    if (stored.length) body['00081199'] = { vr: 'SQ', Value: stored };
    if (failed.length) body['00081198'] = { vr: 'SQ', Value: failed };
    return { status: failed.length === 0 ? 200 : stored.length === 0 ? 409 : 202, body };
  };

  const baseOf = (req: Request): string => `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
  router.post('/studies', noDicomwebQuery, async (req, res) => {
    const { status, body } = await store(req, undefined, baseOf(req));
    res.status(status).type('application/dicom+json').send(JSON.stringify(body));
  });
  router.post('/studies/:studyUID', noDicomwebQuery, async (req, res) => {
    const { studyUID } = parse(StudyParams, req.params, 'params');
    const { status, body } = await store(req, studyUID, baseOf(req));
    res.status(status).type('application/dicom+json').send(JSON.stringify(body));
  });
  return router;
}
