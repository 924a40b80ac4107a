import { Router, type Request } from 'express';
import { z } from 'zod';
import { type DicomQuery, queryDicom, type QueryLevel } from '../../../service/dicom-query';
import type { InstanceScope } from '../../../service/instance-index';
import type { ApiContext } from '../../context';
import { definedOnly, parse } from '../../context';
import { SeriesParams, StudyParams } from '../../schemas';

const Paging = z.object({
  limit: z.coerce.number().int().min(0).max(10_000).optional(),
  offset: z.coerce.number().int().min(0).optional(),
});
const RESERVED = new Set(['limit', 'offset', 'includefield', 'fuzzymatching']);

/** `includefield` may repeat and hold comma-separated lists; `all` asks for everything. */
function includeFieldsOf(value: unknown): string[] | 'all' {
  const list = (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
  return list.includes('all') ? 'all' : list;
}

function queryOf(req: Request, level: QueryLevel, scope: InstanceScope): DicomQuery {
  const paging = parse(Paging, { limit: req.query.limit, offset: req.query.offset }, 'query');
  const match: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.query)) {
    if (RESERVED.has(key)) continue;
    match[key] = Array.isArray(value) ? value.map(String).join('\\') : String(value ?? '');
  }
  return { level, scope, match, includeFields: includeFieldsOf(req.query.includefield), ...definedOnly(paging) };
}

/** QIDO-RS: studies, series and instances, originals and derived series alike, as DICOM JSON. */
export function qidoRouter(ctx: ApiContext): Router {
  const router = Router();
  const answer = (level: QueryLevel, scopeOf: (req: Request) => InstanceScope) => async (req: Request, res: import('express').Response) => {
    const records = await queryDicom(ctx.index, queryOf(req, level, scopeOf(req)));
    res.status(200).type('application/dicom+json').send(JSON.stringify(records));
  };
  const study = (req: Request): InstanceScope => ({ studyInstanceUID: parse(StudyParams, req.params, 'params').studyUID });
  const series = (req: Request): InstanceScope => {
    const p = parse(SeriesParams, req.params, 'params');
    return { studyInstanceUID: p.studyUID, seriesInstanceUID: p.seriesUID };
  };
  router.get('/studies', answer('study', () => ({})));
  router.get('/series', answer('series', () => ({})));
  router.get('/instances', answer('instance', () => ({})));
  router.get('/studies/:studyUID/series', answer('series', study));
  router.get('/studies/:studyUID/instances', answer('instance', study));
  router.get('/studies/:studyUID/series/:seriesUID/instances', answer('instance', series));
  return router;
}
