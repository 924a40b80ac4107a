import type { RequestHandler } from 'express';
import { MedsrError } from '../../../shared/errors';

/**
 * The query parameters PS3.18 defines for WADO-RS (8.3.3: `accept`, `charset`; rendered resources
 * add the presentation parameters). A client may send them, so they pass; anything else is a 400
 * naming it, like every other request of this API. The server has one representation of each
 * resource (bytes as stored, DICOM JSON, windowed PNG), which it answers whatever they ask.
 * QIDO-RS is checked in the query service instead: its keys are DICOM keywords and tags.
 */
const RETRIEVE_PARAMS = ['accept', 'charset'];
const RENDERED_PARAMS = [...RETRIEVE_PARAMS, 'annotation', 'quality', 'viewport', 'window', 'iccprofile'];

function allowQuery(allowed: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const unknown = Object.keys(req.query).filter((k) => !allowed.includes(k));
    if (unknown.length > 0) {
      const message = `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (this resource takes ${allowed.length ? allowed.join(', ') : 'none'})`;
      throw new MedsrError('invalid_input', 'request.unknown_field', message, { field: unknown[0], fields: unknown, in: 'query' });
    }
    next();
  };
}

export const retrieveQuery = allowQuery(RETRIEVE_PARAMS);
export const renderedQuery = allowQuery(RENDERED_PARAMS);
/** STOW-RS and DELETE take no query parameters. */
export const noDicomwebQuery = allowQuery([]);
