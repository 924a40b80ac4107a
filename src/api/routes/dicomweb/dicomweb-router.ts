import { Router } from 'express';
import type { ApiContext } from '../../context';
import { parse } from '../../context';
import { StudyParams } from '../../schemas';
import { noDicomwebQuery } from './query-params';
import { qidoRouter } from './qido-router';
import { stowRouter } from './stow-router';
import { wadoRouter } from './wado-router';

/**
 * DICOMweb (PS3.18) under /dicomweb: STOW-RS, QIDO-RS, WADO-RS and study delete. The routes only
 * translate HTTP to the service's index, query and lifecycle.
 */
export function dicomwebRouter(ctx: ApiContext): Router {
  const router = Router();
  router.use(stowRouter(ctx));
  router.use(qidoRouter(ctx));
  router.use(wadoRouter(ctx));
  router.delete('/studies/:studyUID', noDicomwebQuery, async (req, res) => {
    const { studyUID } = parse(StudyParams, req.params, 'params');
    await ctx.lifecycle.deleteStudy(studyUID);
    res.status(204).end();
  });
  return router;
}
